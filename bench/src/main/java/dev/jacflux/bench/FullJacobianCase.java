package dev.jacflux.bench;

import dev.jacflux.autodiff.transforms.FullJacobian;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.config.JobKind;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.pipeline.JobDefinitions;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code full-jac}: the full Jacobian of {@code f(x) = W2 tanh(W1 x + b1) + b2}, x in R^1000,
 * hidden 512, output 1000 ({@link TwoLayerModel}): a {@code (1000, 1000)} result.
 *
 * <p>Methods: {@code jacflux} ({@link FullJacobian}, automatic mode, into a reused buffer),
 * {@code jacflux-fresh} (the same call without a buffer, {@link FullJacobian#compute(INDArray)}), {@code pipeline}, {@code loop} (1000 backward passes, {@link RowLoop#jacobian}), {@code floor}
 * ({@link Floors.TwoLayerFullJacobian}).
 *
 * <pre>{@code
 * CaseReport r = BenchmarkSuite.run("full-jac", BenchOptions.defaults());
 * }</pre>
 */
public final class FullJacobianCase implements BenchCase {

    @Override
    public String name() {
        return "full-jac";
    }

    @Override
    public String description(Size size) {
        TwoLayerModel m = TwoLayerModel.of(size);
        return "full Jacobian of f(x) = W2 tanh(W1 x + b1) + b2, x in R^" + m.x().size(0) + ", hidden " + m.w1().size(0) + ", output "
                + m.w2().size(0) + " -> (" + m.w2().size(0) + ", " + m.x().size(0) + ")";
    }

    @Override
    public List<MethodGroup> groups(BenchOptions options) {
        TwoLayerModel model = TwoLayerModel.of(options.size());
        INDArray x = model.x();
        long out = model.w2().size(0);
        long in = x.size(0);
        List<BenchMethod> methods = new ArrayList<>();
        if (options.includes("jacflux")) {
            methods.add(BenchMethod.of("jacflux", () -> {
                INDArray result = Nd4j.createUninitialized(x.dataType(), out, 1, in, 1);
                FullJacobian jac = FullJacobian.of(model.f());
                FullJacobian.Job probe = jac.prepare(x);
                String note = probe.chunks().size() + (probe.chunks().size() == 1 ? " chunk, " : " chunks, ")
                        + (probe.forwardMode() ? "forward" : "reverse") + " mode";
                return new BenchMethod.Prepared() {
                    @Override
                    public INDArray run() {
                        return jac.compute(x, result);
                    }

                    @Override
                    public String note() {
                        return note;
                    }
                };
            }));
        }
        if (options.includes("jacflux-fresh")) {
            methods.add(Methods.fresh(() -> FullJacobian.of(model.f()).compute(x)));
        }
        if (options.includes("pipeline")) {
            methods.add(Methods.pipeline(JobDefinitions.fullJacobian(model.f()), JobKind.FULL_JACOBIAN, () -> Batch.of("full-jac", x),
                    options));
        }
        if (options.includes("loop")) {
            methods.add(Methods.plain("loop", () -> RowLoop.jacobian(model.f(), x)));
        }
        if (options.includes("floor")) {
            methods.add(BenchMethod.of("floor", () -> {
                Floors.TwoLayerFullJacobian floor = new Floors.TwoLayerFullJacobian(model.w1(), model.b1(), model.w2());
                return () -> floor.compute(x);
            }));
        }
        return List.of(new MethodGroup("", "(" + out + ", " + in + ")", methods));
    }
}
