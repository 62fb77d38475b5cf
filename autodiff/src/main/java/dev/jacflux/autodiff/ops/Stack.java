package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.Tensor;
import java.util.List;

/** PLACEHOLDER: being implemented. */
public final class Stack {
    private Stack() {
    }

    public static Tensor apply(int axis, List<Tensor> parts) {
        throw new UnsupportedOperationException("Stack not implemented yet");
    }
}
