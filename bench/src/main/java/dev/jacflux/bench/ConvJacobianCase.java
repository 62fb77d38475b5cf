package dev.jacflux.bench;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.ops.Conv2d;
import dev.jacflux.autodiff.ops.Conv2dSpec;
import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.config.JobKind;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.pipeline.JobDefinitions;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@code conv-jacobian}: the batch Jacobian of a conv2d 3 -> 128 channels with a 32x32 kernel, no
 * bias, on {@code x (128, 3, 32, 32)}: each sample's output is {@code [128, 1, 1]}, so the result is
 * {@code (128, 128, 3072)} (201 MB), and equals the weights repeated for every sample.
 *
 * <p>Methods: {@code jacflux} ({@link BatchJacobian} of {@link Conv2d} into a reused
 * {@code (128, 128, 3072)}), {@code jacflux-fresh} (the same call without a buffer,
 * {@link BatchJacobian#compute(INDArray)}), {@code pipeline}, {@code fanout} (the pipeline at its
 * default budget: several chunks on the rails), {@code loop} (128 backward passes,
 * {@link RowLoop#batchJacobian}, which allocates its zeroed result each run), {@code floor}
 * ({@link Floors.ConvCopy}: {@code Broadcast.copy} of the weights into a preallocated result) and
 * {@code samediff}: ND4J SameDiff with the same convolution in SameDiff's default weight layout
 * (YXIO, {@code [kh, kw, C, O]}; its conv2d backward fails with PyTorch's OIYX layout), loss
 * {@code sum(y * seed)} with a placeholder one-hot seed, one {@code calculateGradients} per output
 * row (128 calls), each row written into a preallocated result.
 *
 * <pre>{@code
 * CaseReport r = BenchmarkSuite.run("conv-jacobian", BenchOptions.defaults());
 * r.ratio("jacflux", "floor");
 * }</pre>
 */
public final class ConvJacobianCase implements BenchCase {

    @Override
    public String name() {
        return "conv-jacobian";
    }

    /** Dimensions: batch, input channels, output channels, kernel (= input) side. */
    private record Dims(long batch, long in, long out, long side) {
        long inner() {
            return in * side * side;
        }
    }

    private static Dims dims(Size size) {
        return size == Size.FULL ? new Dims(128, 3, 128, 32) : new Dims(4, 3, 6, 5);
    }

    @Override
    public String description(Size size) {
        Dims d = dims(size);
        return "batch Jacobian of conv2d " + d.in + "->" + d.out + " channels, " + d.side + "x" + d.side + " kernel, no bias, x (" + d.batch
                + ", " + d.in + ", " + d.side + ", " + d.side + ") -> (" + d.batch + ", " + d.out + ", " + d.inner() + ")";
    }

    /** Seeded input {@code [B, C, H, W]} ~ N(0, 1). */
    public static INDArray input(Size size) {
        Dims d = dims(size);
        return SeededData.gaussian(41, 1.0, d.batch, d.in, d.side, d.side);
    }

    /** Seeded weights {@code [O, C, kh, kw]} (PyTorch layout) ~ N(0, 1/(C kh kw)). */
    public static INDArray weights(Size size) {
        Dims d = dims(size);
        return SeededData.gaussian(42, 1 / Math.sqrt(d.inner()), d.out, d.in, d.side, d.side);
    }

    /** The convolution as a function of the input: {@code [B, C, H, W] -> [B, O, 1, 1]}. */
    public static Function<Tensor, Tensor> function(INDArray w) {
        Tensor tw = Tensor.constant(w);
        return v -> Conv2d.apply(v, tw, null, Conv2dSpec.DEFAULT);
    }

    @Override
    public List<MethodGroup> groups(BenchOptions options) {
        Dims d = dims(options.size());
        INDArray x = input(options.size());
        INDArray w = weights(options.size());
        Function<Tensor, Tensor> f = function(w);
        List<BenchMethod> methods = new ArrayList<>();
        if (options.includes("jacflux")) {
            methods.add(Methods.batchJacobian(f, x, d.batch, d.out, d.inner()));
        }
        if (options.includes("jacflux-fresh")) {
            methods.add(Methods.fresh(() -> BatchJacobian.of(f).compute(x)));
        }
        if (options.includes("pipeline")) {
            methods.add(Methods.pipeline(JobDefinitions.batchJacobian(f), JobKind.BATCH_JACOBIAN, () -> Batch.of("conv-jacobian", x), options));
        }
        if (options.includes("fanout")) {
            methods.add(Methods.fanout(JobDefinitions.batchJacobian(f), JobKind.BATCH_JACOBIAN, () -> Batch.of("conv-jacobian", x), options));
        }
        if (options.includes("loop")) {
            methods.add(Methods.plain("loop", () -> RowLoop.batchJacobian(f, x)));
        }
        if (options.includes("floor")) {
            methods.add(BenchMethod.of("floor", () -> new Floors.ConvCopy(w, d.batch)::compute));
        }
        if (options.includes("samediff")) {
            methods.add(BenchMethod.of("samediff", () -> new SameDiffRows(x, w, d)));
        }
        return List.of(new MethodGroup("", "(" + d.batch + ", " + d.out + ", " + d.inner() + ")", methods));
    }

    /** The SameDiff method: one {@code calculateGradients} per output row. */
    private static final class SameDiffRows implements BenchMethod.Prepared {
        private final SameDiff sd;
        private final INDArray[] seeds;
        private final INDArray out;
        private final Dims d;

        SameDiffRows(INDArray x, INDArray w, Dims d) {
            this.d = d;
            this.sd = SameDiff.create();
            SDVariable xv = sd.var("x", x.dup());
            SDVariable wv = sd.constant("w", w.permute(2, 3, 1, 0).dup('c'));
            SDVariable seed = sd.placeHolder("seed", DataType.FLOAT, d.batch, d.out, 1, 1);
            Conv2DConfig config = Conv2DConfig.builder().kH(d.side).kW(d.side).sH(1).sW(1).pH(0).pW(0).dH(1).dW(1)
                    .paddingMode(PaddingMode.VALID).dataFormat("NCHW").build();
            SDVariable y = sd.cnn().conv2d("y", xv, wv, config);
            sd.setLossVariables(y.mul(seed).sum("loss"));
            this.seeds = new INDArray[(int) d.out];
            for (int k = 0; k < d.out; k++) {
                seeds[k] = Nd4j.zeros(DataType.FLOAT, d.batch, d.out, 1, 1);
                seeds[k].get(NDArrayIndex.all(), NDArrayIndex.point(k)).assign(1.0);
            }
            this.out = Nd4j.createUninitialized(DataType.FLOAT, d.batch, d.out, d.inner());
            // SameDiff prints "Added differentiated op ..." to stdout while building its gradient
            // function; build it here, quietly, so that the console table stays clean
            PrintStream stdout = System.out;
            try {
                System.setOut(new PrintStream(OutputStream.nullOutputStream()));
                sd.calculateGradients(Map.of("seed", seeds[0]), "x");
            } finally {
                System.setOut(stdout);
            }
        }

        @Override
        public INDArray run() {
            for (int k = 0; k < d.out; k++) {
                INDArray gx = sd.calculateGradients(Map.of("seed", seeds[k]), "x").get("x");
                out.get(NDArrayIndex.all(), NDArrayIndex.point(k), NDArrayIndex.all()).assign(gx.reshape('c', d.batch, d.inner()));
            }
            return out;
        }

        @Override
        public String note() {
            return d.out + " calculateGradients calls, YXIO weights";
        }
    }
}
