package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;

/** PLACEHOLDER: being implemented. */
public record Slice(Tensor x, int axis, long start, long end, long step) implements Op {
    public static Tensor apply(Tensor x, int axis, long start, long end, long step) {
        throw new UnsupportedOperationException("Slice not implemented yet");
    }

    @Override
    public String name() {
        return "slice";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(x);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Tensor jvp(JvpContext c) {
        throw new UnsupportedOperationException();
    }
}
