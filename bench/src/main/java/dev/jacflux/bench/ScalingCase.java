package dev.jacflux.bench;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.config.JobKind;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.pipeline.JobDefinitions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code scaling}: the batch Jacobian of {@code y = tanh(x W1) W2}, {@code x (64, 512)},
 * {@code W1 (512, 512)}, {@code W2 (512, D_y)}, for {@code D_y} in {8, 32, 128, 512}: one group per
 * {@code D_y} (methods shown as {@code jacflux[D_y=8]}), results {@code (64, D_y, 512)}.
 *
 * <p>Methods: {@code jacflux} ({@link BatchJacobian} into a reused buffer), {@code jacflux-fresh} (the same call
 * without a buffer), {@code pipeline},
 * {@code loop} ({@code D_y} backward passes, {@link RowLoop#batchJacobian}), {@code floor}
 * ({@link Floors.TwoLayerBatchJacobian}).
 *
 * <pre>{@code
 * CaseReport r = BenchmarkSuite.run("scaling", BenchOptions.defaults());
 * r.result("jacflux[D_y=512]").medianMs();
 * }</pre>
 */
public final class ScalingCase implements BenchCase {

    @Override
    public String name() {
        return "scaling";
    }

    /** The output widths of the groups. */
    public static long[] outputWidths(Size size) {
        return size == Size.FULL ? new long[] {8, 32, 128, 512} : new long[] {2, 3};
    }

    private static long batch(Size size) {
        return size == Size.FULL ? 64 : 3;
    }

    private static long width(Size size) {
        return size == Size.FULL ? 512 : 5;
    }

    @Override
    public String description(Size size) {
        long b = batch(size);
        long n = width(size);
        return "batch Jacobian of y = tanh(x W1) W2, x (" + b + ", " + n + "), W1 (" + n + ", " + n + "), W2 (" + n + ", D_y), D_y in "
                + java.util.Arrays.toString(outputWidths(size)) + " -> (" + b + ", D_y, " + n + ")";
    }

    @Override
    public List<MethodGroup> groups(BenchOptions options) {
        Size size = options.size();
        long b = batch(size);
        long n = width(size);
        INDArray x = SeededData.gaussian(1, 1.0, b, n);
        INDArray w1 = SeededData.gaussian(2, 1 / Math.sqrt(n), n, n);
        Tensor w1t = Tensor.constant(w1);
        List<MethodGroup> groups = new ArrayList<>();
        for (long dy : outputWidths(size)) {
            INDArray w2 = SeededData.gaussian(3 + dy, 1 / Math.sqrt(n), n, dy);
            Tensor w2t = Tensor.constant(w2);
            Function<Tensor, Tensor> f = v -> v.matmul(w1t).tanh().matmul(w2t);
            List<BenchMethod> methods = new ArrayList<>();
            if (options.includes("jacflux")) {
                methods.add(Methods.batchJacobian(f, x, b, dy, n));
            }
            if (options.includes("jacflux-fresh")) {
                methods.add(Methods.fresh(() -> BatchJacobian.of(f).compute(x)));
            }
            if (options.includes("pipeline")) {
                methods.add(Methods.pipeline(JobDefinitions.batchJacobian(f), JobKind.BATCH_JACOBIAN, () -> Batch.of("scaling", x), options));
            }
            if (options.includes("loop")) {
                methods.add(Methods.plain("loop", () -> RowLoop.batchJacobian(f, x)));
            }
            if (options.includes("floor")) {
                methods.add(BenchMethod.of("floor", () -> {
                    Floors.TwoLayerBatchJacobian floor = new Floors.TwoLayerBatchJacobian(w1, w2, b);
                    return () -> floor.compute(x);
                }));
            }
            groups.add(new MethodGroup("D_y=" + dy, "(" + b + ", " + dy + ", " + n + ")", methods));
        }
        return groups;
    }
}
