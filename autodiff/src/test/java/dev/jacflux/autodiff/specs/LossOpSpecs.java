package dev.jacflux.autodiff.specs;

import static dev.jacflux.autodiff.testing.OpSpec.of;
import static dev.jacflux.autodiff.testing.OpSpec.s;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.ops.CrossEntropy;
import dev.jacflux.autodiff.ops.MeanSquaredError;
import dev.jacflux.autodiff.testing.Gen;
import dev.jacflux.autodiff.testing.OpSpec;
import java.util.List;
import org.nd4j.linalg.factory.Nd4j;

/** Spec rows for the per-sample losses (cross-entropy, mean squared error). */
public final class LossOpSpecs {
    private LossOpSpecs() {
    }

    public static List<OpSpec> specs() {
        Gen u = Gen.uniform();
        Gen wide = Gen.range(-2, 2);
        long[] targets4 = {2, 0, 3, 1};
        return List.of(
                of("cross_entropy [4,5]", wide, x -> CrossEntropy.apply(x.get(0), targets4), s(4, 5)),
                of("cross_entropy [3,2] repeated class", wide, x -> CrossEntropy.apply(x.get(0), new long[] {1, 1, 0}), s(3, 2)),
                of("cross_entropy [2,3] INDArray targets", wide,
                        x -> CrossEntropy.apply(x.get(0), Nd4j.createFromArray(2L, 0L)), s(2, 3)),
                of("cross_entropy of x W", wide,
                        x -> CrossEntropy.apply(x.get(0).matmul(x.get(1)), new long[] {0, 2, 1}), s(3, 2), s(2, 3)),
                of("mse [3,4] vs [3,4]", u, x -> MeanSquaredError.apply(x.get(0), x.get(1)), s(3, 4), s(3, 4)),
                of("mse rank 1 [4]", u, x -> MeanSquaredError.apply(x.get(0), x.get(1)), s(4), s(4)),
                of("mse rank 3 [2,2,3]", u, x -> MeanSquaredError.apply(x.get(0), x.get(1)), s(2, 2, 3), s(2, 2, 3)),
                of("mse against constant target", u,
                        x -> MeanSquaredError.apply(x.get(0), Tensor.constant(Nd4j.linspace(-1, 1, 6).reshape(2, 3).castTo(x.get(0).dtype()))),
                        s(2, 3)));
    }
}
