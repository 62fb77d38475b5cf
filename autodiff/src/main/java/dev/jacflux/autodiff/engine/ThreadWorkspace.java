package dev.jacflux.autodiff.engine;

import java.util.function.Supplier;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.MemoryWorkspaceManager;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A named per-thread ND4J workspace for temporaries: the first block on a thread learns its size,
 * later blocks on that thread reuse the same, already touched memory instead of allocating and
 * page-faulting fresh arrays in. Nothing allocated inside a block may outlive it: write results
 * into arrays that live outside (or detach them before the block ends).
 *
 * <p>A block that fails (a native {@code std::bad_alloc}, an {@code OutOfMemoryError}, any
 * exception) discards the thread's workspace before the failure propagates: ND4J leaves a
 * workspace whose allocation failed without memory but with its learnt size, and every later
 * block on that thread would fail with a null pointer. The next block starts a fresh workspace.
 * When a workspace is already active on the thread (a caller's), a block runs in it, not nested.
 *
 * <pre>{@code
 * ThreadWorkspace scratch = ThreadWorkspace.named("MY_SCRATCH");
 * INDArray out = Nd4j.create(DataType.FLOAT, 64, 512);     // outside: survives the block
 * scratch.run(() -> out.assign(x.mul(y).addi(z)));          // temporaries reused by the next call
 * }</pre>
 */
public final class ThreadWorkspace {
    private static final WorkspaceConfiguration CONFIG = WorkspaceConfiguration.builder()
            .initialSize(0)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .overallocationLimit(0.2)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();

    private final String id;

    private ThreadWorkspace(String id) {
        this.id = id;
    }

    /** The workspace of this name (one per thread that uses it). */
    public static ThreadWorkspace named(String id) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("thread workspace: a name is needed, got " + (id == null ? "null" : "'" + id + "'"));
        }
        return new ThreadWorkspace(id);
    }

    /** Whether some workspace (this one or a caller's) is active on the calling thread. */
    public static boolean active() {
        return Nd4j.getMemoryManager().getCurrentWorkspace() != null;
    }

    /** Runs {@code block} in this workspace (or in the caller's, if one is active) and returns its value. */
    public <T> T call(Supplier<T> block) {
        if (active()) {
            return block.get();
        }
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, id)) {
            return block.get();
        } catch (RuntimeException | Error e) {
            // the workspace is closed here; a failed allocation left it unusable
            try {
                discard();
            } catch (RuntimeException | Error d) {
                e.addSuppressed(d);
            }
            throw e;
        }
    }

    /** Runs {@code block} in this workspace (or in the caller's, if one is active). */
    public void run(Runnable block) {
        call(() -> {
            block.run();
            return null;
        });
    }

    /**
     * Destroys the calling thread's workspace of this name, its memory and its learnt size, and
     * leaves the thread outside any workspace.
     */
    public void discard() {
        Nd4j.getMemoryManager().setCurrentWorkspace(null);
        MemoryWorkspaceManager manager = Nd4j.getWorkspaceManager();
        if (manager.checkIfWorkspaceExists(id)) {
            manager.destroyWorkspace(manager.getWorkspaceForCurrentThread(id));
        }
    }

    @Override
    public String toString() {
        return "ThreadWorkspace[" + id + "]";
    }
}
