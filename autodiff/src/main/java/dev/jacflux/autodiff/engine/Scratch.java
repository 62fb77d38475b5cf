package dev.jacflux.autodiff.engine;

import dev.jacflux.autodiff.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reusable scratch memory for first-order reverse sweeps. Every intermediate cotangent of a sweep
 * is temporary, so the sweep runs inside a per-thread ND4J workspace: after the first sweep the
 * memory is reused instead of allocated and first-touched again (allocation dominated the sweeps
 * of large Jacobian blocks). The results are detached (copied out of the workspace) before the
 * workspace is released, so nothing that escapes a sweep points into scratch memory; a destination
 * that a rule wrote into lives outside the workspace and is returned as it is.
 *
 * <p>A sweep that fails (a native {@code std::bad_alloc}, an {@code OutOfMemoryError}, any
 * exception) discards the thread's workspace: ND4J leaves a workspace whose allocation failed
 * without memory but with the learnt size, and every later sweep on that thread would fail with
 * a null pointer. The next sweep on the thread starts a fresh workspace.
 *
 * <pre>{@code
 * List<Tensor> grads = Scratch.run(() -> sweep.run());   // results valid after the call
 * }</pre>
 */
final class Scratch {
    private static final ThreadWorkspace SWEEP = ThreadWorkspace.named("JACFLUX_SWEEP");

    private Scratch() {
    }

    private static boolean bypassed() {
        // jacflux.noScratch turns scratch memory off; inside a caller's workspace ours is not nested
        return Boolean.getBoolean("jacflux.noScratch") || ThreadWorkspace.active();
    }

    /**
     * Runs {@code sweep} in the thread's scratch workspace and returns its results detached from it;
     * if the sweep fails, discards the workspace and rethrows.
     */
    static List<Tensor> run(Supplier<List<Tensor>> sweep) {
        if (bypassed()) {
            return sweep.get();
        }
        return SWEEP.call(() -> {
            List<Tensor> results = sweep.get();
            List<Tensor> out = new ArrayList<>(results.size());
            for (Tensor t : results) {
                out.add(t == null ? null : detached(t));
            }
            return out;
        });
    }

    /**
     * Runs {@code sweep} in the thread's scratch workspace and hands its results to {@code use}
     * while they are still valid (inside the workspace), so that a caller that only copies them
     * into a final result saves the detaching copy; if the sweep or {@code use} fails, discards the
     * workspace (as {@link #run} does) and rethrows.
     */
    static void runAndUse(Supplier<List<Tensor>> sweep, java.util.function.Consumer<List<Tensor>> use) {
        if (bypassed()) {
            use.accept(sweep.get());
            return;
        }
        SWEEP.run(() -> {
            List<Tensor> results = sweep.get();
            // anything the consumer allocates (a zero block, a broadcast) must not land in scratch memory
            try (MemoryWorkspace out = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                use.accept(results);
            }
        });
    }

    private static Tensor detached(Tensor t) {
        INDArray v = t.value();
        return v.isAttached() ? Tensor.constant(v.detach()) : t;
    }
}
