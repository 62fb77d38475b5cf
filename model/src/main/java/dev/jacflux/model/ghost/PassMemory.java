package dev.jacflux.model.ghost;

import dev.jacflux.autodiff.engine.ThreadWorkspace;
import java.util.function.Consumer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reusable memory for one chunk's {@link GhostPass} inside a job: the forward pass, the backward
 * pass and the rules' temporaries are allocated in a per-thread ND4J workspace that is reset when
 * the chunk is done, so the next chunk (or call) reuses the same, already touched memory instead
 * of page-faulting fresh arrays in (measured: about a quarter of a LeNet per-sample pass was the
 * first touch of its activations). Nothing allocated inside may outlive the block: results are
 * written into the caller's arrays, which live outside (ND4J refuses ops on a leaked array with an
 * error naming the workspace). A pass that fails (a native {@code std::bad_alloc}, an
 * {@code OutOfMemoryError}, any exception) discards the thread's workspace: ND4J leaves a workspace
 * whose allocation failed without memory but with the learnt size, and every later pass on that
 * thread would fail with a null pointer; the next pass starts a fresh workspace.
 *
 * <pre>{@code
 * PassMemory.run(() -> pass(chunk).writeGradients(rowsOfTheResult));
 * }</pre>
 */
final class PassMemory {
    private static final ThreadWorkspace PASS = ThreadWorkspace.named("JACFLUX_GHOST_PASS");

    private PassMemory() {
    }

    /**
     * Runs {@code work} with the thread's pass workspace active (unless a workspace is already
     * active); if it fails, discards the workspace and rethrows.
     */
    static void run(Runnable work) {
        PASS.run(work);
    }

    /** Writes into {@code target} (outside the workspace) what {@code work} computes inside it. */
    static <T> void runInto(java.util.function.Supplier<T> work, Consumer<T> target) {
        run(() -> {
            T value = work.get();
            try (MemoryWorkspace out = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                target.accept(value);
            }
        });
    }
}
