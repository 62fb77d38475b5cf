package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;

/** PLACEHOLDER: being implemented. */
public record LogSoftmax(Tensor x, int axis) implements Op {
    public static Tensor apply(Tensor x, int axis) {
        throw new UnsupportedOperationException("LogSoftmax not implemented yet");
    }

    @Override
    public String name() {
        return "LogSoftmax";
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
