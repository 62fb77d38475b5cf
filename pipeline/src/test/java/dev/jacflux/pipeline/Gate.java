package dev.jacflux.pipeline;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;

/**
 * A test op: the identity, with hooks that run in its forward pass and in every VJP call. A
 * batch Jacobian pulls back once per chunk, so {@link Hooks#vjp} runs once per chunk, on the
 * rail that computes it: a hook can block on a latch (a sibling chunk still running), throw, or
 * allocate more than the machine has.
 *
 * <pre>{@code
 * Function<Tensor, Tensor> f = x -> Gate.apply(mlp.apply(x), hooks);
 * }</pre>
 */
record Gate(Tensor x, Hooks hooks) implements Op {

    /** What the op does besides being the identity. */
    interface Hooks {
        Hooks NONE = new Hooks() {
        };

        /** Runs in the forward pass. */
        default void forward() {
        }

        /** Runs in each VJP call, before the cotangent is passed on. */
        default void vjp() {
        }

        /** The result shape the job declares, given the planned one (see {@link GatedJobs}). */
        default long[] resultShape(long[] planned) {
            return planned;
        }
    }

    static Tensor apply(Tensor x, Hooks hooks) {
        hooks.forward();
        return Tensor.of(new Gate(x, hooks), x.value().dup());
    }

    @Override
    public String name() {
        return "gate";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(x);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        hooks.vjp();
        return List.of(c.g());
    }

    @Override
    public Tensor jvp(JvpContext c) {
        return c.tangent(0);
    }
}
