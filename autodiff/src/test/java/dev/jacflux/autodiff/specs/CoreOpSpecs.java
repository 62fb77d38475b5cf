package dev.jacflux.autodiff.specs;

import static dev.jacflux.autodiff.testing.OpSpec.of;
import static dev.jacflux.autodiff.testing.OpSpec.s;

import dev.jacflux.autodiff.ops.Linear;
import dev.jacflux.autodiff.testing.Gen;
import dev.jacflux.autodiff.testing.OpSpec;
import java.util.List;

/** Spec rows for arithmetic, matmul, reductions, reshaping and the elementwise functions. */
public final class CoreOpSpecs {
    private CoreOpSpecs() {
    }

    public static List<OpSpec> specs() {
        Gen u = Gen.uniform();
        Gen pos = Gen.positive();
        Gen away = Gen.awayFromZero();
        return List.of(
                of("add [3,4]+[3,4]", u, x -> x.get(0).add(x.get(1)), s(3, 4), s(3, 4)),
                of("add [3,4]+[4] broadcast", u, x -> x.get(0).add(x.get(1)), s(3, 4), s(4)),
                of("add [3,1]+[1,4] both broadcast", u, x -> x.get(0).add(x.get(1)), s(3, 1), s(1, 4)),
                of("add [2,3]+[] scalar", u, x -> x.get(0).add(x.get(1)), s(2, 3), s()),
                of("sub [2,3,4]-[3,1]", u, x -> x.get(0).sub(x.get(1)), s(2, 3, 4), s(3, 1)),
                of("mul [3,4]*[4]", u, x -> x.get(0).mul(x.get(1)), s(3, 4), s(4)),
                of("mul x*x (same input twice)", u, x -> x.get(0).mul(x.get(0)), s(2, 3)),
                of("div [3,4]/[3,1]", List.of(u, pos), x -> x.get(0).div(x.get(1)), s(3, 4), s(3, 1)),
                of("pow [2,3]^[2,3]", List.of(pos, u), x -> x.get(0).pow(x.get(1)), s(2, 3), s(2, 3)),
                of("pow [2,3]^3 constant exponent", u, x -> x.get(0).pow(3.0), s(2, 3)),
                of("neg", u, x -> x.get(0).neg(), s(2, 3)),
                of("matmul [3,4]@[4,2]", u, x -> x.get(0).matmul(x.get(1)), s(3, 4), s(4, 2)),
                of("matmul [2,3,4]@[4,5] shared right", u, x -> x.get(0).matmul(x.get(1)), s(2, 3, 4), s(4, 5)),
                of("matmul [3,4]@[2,4,5] shared left", u, x -> x.get(0).matmul(x.get(1)), s(3, 4), s(2, 4, 5)),
                of("matmul [3,4]@[2,4,1] shared left, column vectors", u, x -> x.get(0).matmul(x.get(1)), s(3, 4), s(2, 4, 1)),
                of("matmul [2,3,4]@[2,4,2] batched", u, x -> x.get(0).matmul(x.get(1)), s(2, 3, 4), s(2, 4, 2)),
                of("matmul [2,1,3,4]@[3,4,2] broadcast batch", u, x -> x.get(0).matmul(x.get(1)), s(2, 1, 3, 4), s(3, 4, 2)),
                of("matmul [1,4]@[4,3] single row", u, x -> x.get(0).matmul(x.get(1)), s(1, 4), s(4, 3)),
                of("matmul [3,1]@[1,4] outer", u, x -> x.get(0).matmul(x.get(1)), s(3, 1), s(1, 4)),
                of("matmul x@x^T", u, x -> x.get(0).matmul(x.get(0).transpose()), s(3, 4)),
                of("sum all", u, x -> x.get(0).sum(), s(2, 3, 4)),
                of("sum axis 1", u, x -> x.get(0).sum(1), s(2, 3, 4)),
                of("sum axes 0,2 keepdims", u, x -> x.get(0).sum(true, 0, 2), s(2, 3, 4)),
                of("sum axis -1", u, x -> x.get(0).sum(-1), s(3, 4)),
                of("mean all", u, x -> x.get(0).mean(), s(2, 3)),
                of("mean axis 0 keepdims", u, x -> x.get(0).mean(true, 0), s(3, 4)),
                of("reshape [2,3,4]->[6,4]", u, x -> x.get(0).reshape(6, 4), s(2, 3, 4)),
                of("reshape [2,3,4]->[2,-1]", u, x -> x.get(0).reshape(2, -1), s(2, 3, 4)),
                of("reshape [6]->[2,3]->sum 0", u, x -> x.get(0).reshape(2, 3).sum(0), s(6)),
                of("permute [2,3,4] (2,0,1)", u, x -> x.get(0).permute(2, 0, 1), s(2, 3, 4)),
                of("transpose then matmul", u, x -> x.get(0).transpose().matmul(x.get(1)), s(4, 3), s(4, 2)),
                of("permute then reshape", u, x -> x.get(0).permute(1, 0, 2).reshape(3, 8), s(2, 3, 4)),
                of("broadcast_to [3,1]->[2,3,4]", u, x -> x.get(0).broadcastTo(2, 3, 4), s(3, 1)),
                of("sum_to [2,3,4]->[3,1]", u, x -> x.get(0).sumTo(3, 1), s(2, 3, 4)),
                of("exp", u, x -> x.get(0).exp(), s(2, 3)),
                of("log", pos, x -> x.get(0).log(), s(2, 3)),
                of("sqrt", pos, x -> x.get(0).sqrt(), s(2, 3)),
                of("abs", away, x -> x.get(0).abs(), s(2, 3)),
                of("tanh", u, x -> x.get(0).tanh(), s(2, 3)),
                of("sigmoid", u, x -> x.get(0).sigmoid(), s(2, 3)),
                of("relu", away, x -> x.get(0).relu(), s(2, 3)),
                of("leaky_relu 0.1", away, x -> x.get(0).leakyRelu(0.1), s(2, 3)),
                of("elu 1.0", away, x -> x.get(0).elu(1.0), s(2, 3)),
                of("elu 0.5", away, x -> x.get(0).elu(0.5), s(2, 3)),
                of("softplus", Gen.range(-3, 3), x -> x.get(0).softplus(), s(2, 3)),
                of("gelu", Gen.range(-2, 2), x -> x.get(0).gelu(), s(2, 3)),
                of("erf", u, x -> x.get(0).erf(), s(2, 3)),
                of("sin", u, x -> x.get(0).sin(), s(2, 3)),
                of("cos", u, x -> x.get(0).cos(), s(2, 3)),
                of("tanh(x W) W2 chain", u, x -> x.get(0).matmul(x.get(1)).tanh().matmul(x.get(2)), s(3, 4), s(4, 5), s(5, 2)),
                of("sum of squares", u, x -> x.get(0).square().sum(-1), s(3, 4)),
                of("linear [3,4] W[5,4] b[5]", u, x -> Linear.apply(x.get(0), x.get(1), x.get(2)), s(3, 4), s(5, 4), s(5)),
                of("linear [2,3,4] W[2,4] no bias", u, x -> Linear.apply(x.get(0), x.get(1), null), s(2, 3, 4), s(2, 4)),
                of("linear then tanh then linear", u,
                        x -> Linear.apply(Linear.apply(x.get(0), x.get(1), x.get(2)).tanh(), x.get(3), null), s(3, 4), s(5, 4), s(5), s(2, 5)));
    }
}
