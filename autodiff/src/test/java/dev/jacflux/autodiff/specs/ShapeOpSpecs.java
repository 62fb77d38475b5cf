package dev.jacflux.autodiff.specs;

import static dev.jacflux.autodiff.testing.OpSpec.of;
import static dev.jacflux.autodiff.testing.OpSpec.s;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.ops.Concat;
import dev.jacflux.autodiff.ops.LogSoftmax;
import dev.jacflux.autodiff.ops.SliceScatter;
import dev.jacflux.autodiff.ops.Softmax;
import dev.jacflux.autodiff.ops.Stack;
import dev.jacflux.autodiff.testing.Gen;
import dev.jacflux.autodiff.testing.OpSpec;
import java.util.List;

/** Spec rows for slicing, scattering, concatenation, stacking, softmax and log-softmax. */
public final class ShapeOpSpecs {
    private ShapeOpSpecs() {
    }

    public static List<OpSpec> specs() {
        Gen u = Gen.uniform();
        Gen wide = Gen.range(-2, 2);
        return List.of(
                of("slice axis 0 [1:3] of [4,3]", u, x -> x.get(0).slice(0, 1, 3), s(4, 3)),
                of("slice axis 1 step 2 of [3,6]", u, x -> x.get(0).slice(1, 0, 6, 2), s(3, 6)),
                of("slice axis 1 [1:5:2] of [2,5,2]", u, x -> x.get(0).slice(1, 1, 5, 2), s(2, 5, 2)),
                of("slice axis -1 [1:4:2] of [2,3,5]", u, x -> x.get(0).slice(-1, 1, 4, 2), s(2, 3, 5)),
                of("slice end clipped [2:100] axis 0 of [4,3]", u, x -> x.get(0).slice(0, 2, 100), s(4, 3)),
                of("slice single index [2:3] axis 1 of [3,4]", u, x -> x.get(0).slice(1, 2, 3), s(3, 4)),
                of("slice of rank 1 [0:7:3]", u, x -> x.get(0).slice(0, 0, 7, 3), s(7)),
                of("slice then square (second order)", u, x -> x.get(0).slice(1, 0, 4, 3).square(), s(3, 4)),
                of("slice of a permuted view", u, x -> x.get(0).permute(1, 0).slice(0, 1, 4, 2), s(3, 4)),
                of("two slices added", u, x -> x.get(0).slice(1, 0, 2).mul(x.get(0).slice(1, 2, 4)), s(3, 4)),
                of("slice_scatter [3,2] into [3,5] axis 1 from 1 step 2", u,
                        x -> SliceScatter.apply(x.get(0), new long[] {3, 5}, 1, 1, 2), s(3, 2)),
                of("slice_scatter [1,3] into [4,3] axis 0 from 2", u,
                        x -> SliceScatter.apply(x.get(0), new long[] {4, 3}, 0, 2, 1), s(1, 3)),
                of("slice_scatter of a permuted view", u,
                        x -> SliceScatter.apply(x.get(0).permute(1, 0), new long[] {2, 7}, 1, 0, 3), s(3, 2)),
                of("slice_scatter then square", u,
                        x -> SliceScatter.apply(x.get(0), new long[] {2, 3, 4}, 2, 0, 3).square(), s(2, 3, 2)),
                of("concat 2 parts axis 0", u, x -> Tensor.concat(0, List.of(x.get(0), x.get(1))), s(2, 3), s(1, 3)),
                of("concat 3 parts axis 1", u, x -> Concat.apply(1, List.of(x.get(0), x.get(1), x.get(2))), s(2, 2, 2), s(2, 1, 2), s(2, 3, 2)),
                of("concat axis -1", u, x -> Concat.apply(-1, List.of(x.get(0), x.get(1))), s(3, 2), s(3, 3)),
                of("concat same input twice", u, x -> Concat.apply(0, List.of(x.get(0), x.get(0))), s(2, 3)),
                of("concat with a constant part (zero tangent)", u,
                        x -> Concat.apply(1, List.of(Tensor.constant(Gen.random(5, 2, 2)), x.get(0), x.get(1))), s(2, 3), s(2, 1)),
                of("concat single part", u, x -> Concat.apply(1, List.of(x.get(0))), s(2, 3)),
                of("concat then tanh", u, x -> Concat.apply(1, List.of(x.get(0), x.get(1))).tanh(), s(2, 2), s(2, 3)),
                of("stack 2 parts axis 0", u, x -> Stack.apply(0, List.of(x.get(0), x.get(1))), s(2, 3), s(2, 3)),
                of("stack 3 parts middle axis 1", u, x -> Stack.apply(1, List.of(x.get(0), x.get(1), x.get(2))), s(2, 3), s(2, 3), s(2, 3)),
                of("stack axis -1", u, x -> Tensor.stack(-1, List.of(x.get(0), x.get(1))), s(3, 2), s(3, 2)),
                of("stack with a constant part", u,
                        x -> Stack.apply(0, List.of(x.get(0), Tensor.constant(Gen.random(6, 2, 3)))), s(2, 3)),
                of("stack then square", u, x -> Stack.apply(1, List.of(x.get(0), x.get(1))).square(), s(2, 2, 2), s(2, 2, 2)),
                of("softmax axis -1 [3,4]", wide, x -> x.get(0).softmax(-1), s(3, 4)),
                of("softmax axis 0 [3,4]", wide, x -> Softmax.apply(x.get(0), 0), s(3, 4)),
                of("softmax axis 0 of rank 3", wide, x -> x.get(0).softmax(0), s(3, 2, 3)),
                of("softmax axis 1 of rank 3", wide, x -> x.get(0).softmax(1), s(2, 3, 2)),
                of("softmax axis -1 of rank 3", wide, x -> x.get(0).softmax(-1), s(2, 2, 4)),
                of("softmax rank 1", wide, x -> x.get(0).softmax(0), s(5)),
                of("softmax size-1 axis", wide, x -> x.get(0).softmax(1), s(3, 1)),
                of("log_softmax axis -1 [3,4]", wide, x -> x.get(0).logSoftmax(-1), s(3, 4)),
                of("log_softmax axis 0 [3,4]", wide, x -> LogSoftmax.apply(x.get(0), 0), s(3, 4)),
                of("log_softmax axis 0 of rank 3", wide, x -> x.get(0).logSoftmax(0), s(3, 2, 3)),
                of("log_softmax axis 1 of rank 3", wide, x -> x.get(0).logSoftmax(1), s(2, 3, 2)),
                of("log_softmax axis -1 of rank 3", wide, x -> x.get(0).logSoftmax(-1), s(2, 2, 4)),
                of("log_softmax rank 1", wide, x -> x.get(0).logSoftmax(0), s(5)),
                of("log_softmax then square", wide, x -> x.get(0).logSoftmax(1).square(), s(2, 3)));
    }
}
