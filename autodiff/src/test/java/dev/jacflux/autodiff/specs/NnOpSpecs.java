package dev.jacflux.autodiff.specs;

import static dev.jacflux.autodiff.testing.OpSpec.of;
import static dev.jacflux.autodiff.testing.OpSpec.s;

import dev.jacflux.autodiff.ops.BatchNorm;
import dev.jacflux.autodiff.ops.Dropout;
import dev.jacflux.autodiff.ops.LayerNorm;
import dev.jacflux.autodiff.testing.Gen;
import dev.jacflux.autodiff.testing.OpSpec;
import java.util.List;

/** Spec rows for normalization and dropout. */
public final class NnOpSpecs {
    private NnOpSpecs() {
    }

    public static List<OpSpec> specs() {
        Gen u = Gen.uniform();
        Gen n = Gen.normal();
        Gen pos = Gen.positive();
        return List.of(
                of("layer_norm last axis, affine", List.of(n, u, u),
                        x -> LayerNorm.apply(x.get(0), s(4), x.get(1), x.get(2), 1e-5), s(3, 4), s(4), s(4)),
                of("layer_norm last axis, no affine", n,
                        x -> LayerNorm.apply(x.get(0), s(4), null, null, 1e-5), s(3, 4)),
                of("layer_norm last 2 axes, affine", List.of(n, u, u),
                        x -> LayerNorm.apply(x.get(0), s(2, 3), x.get(1), x.get(2), 1e-5), s(2, 2, 3), s(2, 3), s(2, 3)),
                of("layer_norm last 2 axes, no affine, eps 0.1", n,
                        x -> LayerNorm.apply(x.get(0), s(2, 3), null, null, 0.1), s(2, 2, 3)),
                of("layer_norm last axis, weight only", List.of(n, u),
                        x -> LayerNorm.apply(x.get(0), s(3), x.get(1), null, 1e-5), s(2, 3), s(3)),
                of("batch_norm inference [2,3], affine", List.of(u, u, pos, u, u),
                        x -> BatchNorm.apply(x.get(0), x.get(1), x.get(2), x.get(3), x.get(4), 1e-5),
                        s(2, 3), s(3), s(3), s(3), s(3)),
                of("batch_norm inference [2,3,2,2], affine", List.of(u, u, pos, u, u),
                        x -> BatchNorm.apply(x.get(0), x.get(1), x.get(2), x.get(3), x.get(4), 1e-5),
                        s(2, 3, 2, 2), s(3), s(3), s(3), s(3)),
                of("batch_norm inference [2,3,2,2], no affine", List.of(u, u, pos),
                        x -> BatchNorm.apply(x.get(0), x.get(1), x.get(2), null, null, 1e-5),
                        s(2, 3, 2, 2), s(3), s(3)),
                of("batch_norm training [4,3], affine", List.of(n, u, u),
                        x -> BatchNorm.applyTraining(x.get(0), x.get(1), x.get(2), 1e-5), s(4, 3), s(3), s(3)),
                of("batch_norm training [2,2,3], no affine", n,
                        x -> BatchNorm.applyTraining(x.get(0), null, null, 1e-5), s(2, 2, 3)),
                of("dropout training p=0.3 seed 42", u, x -> Dropout.apply(x.get(0), 0.3, true, 42L), s(3, 4)));
    }
}
