package dev.jacflux.bench;

import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.engine.Backprop;
import dev.jacflux.autodiff.transforms.Hessian;
import dev.jacflux.autodiff.transforms.JacobianOptions;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.config.JobKind;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.pipeline.JobDefinitions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code hessian}: the Hessian of {@code s(x) = logsumexp(f(x))} with {@code f} of
 * {@code full-jac} ({@link TwoLayerModel}): a {@code (1000, 1000)} result.
 *
 * <p>Methods: {@code jacflux} ({@link Hessian}, reverse over reverse, its staged job run into a
 * reused buffer), {@code jacflux-fresh} ({@link Hessian#compute(INDArray)}, a fresh result), {@code pipeline} (the Hessian job through the pipeline; the configuration has no
 * Hessian job kind, so it runs as a {@code full-jacobian} job with a Hessian preparer),
 * {@code loop} (one double-backward pass per Hessian row: {@link RowLoop#jacobian} of the
 * recorded gradient), {@code floor} ({@link Floors.LogSumExpHessian}).
 *
 * <pre>{@code
 * CaseReport r = BenchmarkSuite.run("hessian", BenchOptions.defaults());
 * }</pre>
 */
public final class HessianCase implements BenchCase {

    @Override
    public String name() {
        return "hessian";
    }

    @Override
    public String description(Size size) {
        TwoLayerModel m = TwoLayerModel.of(size);
        long n = m.x().size(0);
        return "Hessian of logsumexp(W2 tanh(W1 x + b1) + b2), x in R^" + n + ", hidden " + m.w1().size(0) + ", output "
                + m.w2().size(0) + " -> (" + n + ", " + n + ")";
    }

    /** The gradient of {@code s} as a differentiable function (recorded for a second pass), {@code [1, *xs]}. */
    public static Function<Tensor, Tensor> gradient(Function<Tensor, Tensor> s) {
        return v -> {
            Tensor value = s.apply(v);
            Tensor seed = Tensor.constant(Nd4j.ones(value.dtype(), concat1(value.shape())));
            Tensor g = Backprop.pullback(List.of(value), List.of(seed), List.of(v), Backprop.Options.secondOrder()).get(0);
            long[] want = concat1(v.shape());
            if (!Arrays.equals(g.shape(), want)) {
                try (GradMode.Scope ignored = GradMode.set(true)) {
                    g = g.broadcastTo(want);
                }
            }
            return g;
        };
    }

    private static long[] concat1(long[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = 1;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    @Override
    public List<MethodGroup> groups(BenchOptions options) {
        TwoLayerModel model = TwoLayerModel.of(options.size());
        INDArray x = model.x();
        long n = x.size(0);
        Function<Tensor, Tensor> s = model.logSumExp();
        List<BenchMethod> methods = new ArrayList<>();
        if (options.includes("jacflux")) {
            methods.add(BenchMethod.of("jacflux", () -> {
                INDArray result = Nd4j.createUninitialized(x.dataType(), n, 1, n, 1);
                Hessian hessian = Hessian.of(s);
                int chunks = hessian.prepare(x).chunks().size();
                return new BenchMethod.Prepared() {
                    @Override
                    public INDArray run() {
                        return hessian.prepare(x).runInto(result);
                    }

                    @Override
                    public String note() {
                        return chunks + (chunks == 1 ? " chunk" : " chunks");
                    }
                };
            }));
        }
        if (options.includes("jacflux-fresh")) {
            methods.add(Methods.fresh(() -> Hessian.of(s).compute(x)));
        }
        if (options.includes("pipeline")) {
            methods.add(Methods.pipeline(JobDefinitions.of(JobKind.FULL_JACOBIAN, (batch, dtype, limits) -> Hessian.of(s,
                    JacobianOptions.DEFAULT.withChunkSize(limits.chunkSize()).withMemoryBudget(limits.memoryBudgetBytes()))
                    .prepare(batch.input())), JobKind.FULL_JACOBIAN, () -> Batch.of("hessian", x), options));
        }
        if (options.includes("loop")) {
            Function<Tensor, Tensor> grad = gradient(s);
            methods.add(Methods.plain("loop", () -> RowLoop.jacobian(grad, x)));
        }
        if (options.includes("floor")) {
            methods.add(BenchMethod.of("floor", () -> {
                Floors.LogSumExpHessian floor = new Floors.LogSumExpHessian(model.w1(), model.b1(), model.w2(), model.b2());
                return () -> floor.compute(x);
            }));
        }
        return List.of(new MethodGroup("", "(" + n + ", " + n + ")", methods));
    }
}
