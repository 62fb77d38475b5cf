package dev.jacflux.bench;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.ops.CrossEntropy;
import dev.jacflux.autodiff.ops.Linear;
import dev.jacflux.autodiff.transforms.PerSampleFunction;
import dev.jacflux.autodiff.transforms.PerSampleGradients;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.config.JobKind;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.PerSample;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.Layer;
import dev.jacflux.model.layers.Tanh;
import dev.jacflux.pipeline.ModelJobs;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code mlp-grads}: per-sample gradients of the per-sample cross-entropy of an MLP 784-256-128-10
 * with tanh (dense layers are {@link Linear}, PyTorch layout: {@code w [out, in]},
 * {@code y = x w^T + b}) w.r.t. all 235146 parameters, N = 256: a {@code (256, 235146)} result.
 *
 * <p>Methods: {@code jacflux} (the model API, {@link PerSample#gradients}, into a reused
 * {@code [N, M]}), {@code jacflux-fresh} (the same call without a buffer), {@code engine} (the engine's generic per-sample mode, {@link PerSampleGradients}
 * of the loss function), {@code pipeline} (the model job through the reactive pipeline), {@code fanout}
 * (the same at the pipeline's default budget: several chunks on the rails), {@code loop} (N single-sample backward passes, {@link RowLoop}), {@code floor}
 * ({@link Floors.MlpOuterProducts}: the per-layer outer products, given the layer inputs and output
 * cotangents computed outside the timed region).
 *
 * <pre>{@code
 * CaseReport r = BenchmarkSuite.run("mlp-grads", BenchOptions.defaults());
 * }</pre>
 */
public final class MlpGradsCase implements BenchCase {
    /** Parameter names, PyTorch style. */
    public static final List<String> NAMES = List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias");

    @Override
    public String name() {
        return "mlp-grads";
    }

    private static long[] widths(Size size) {
        return size == Size.FULL ? new long[] {784, 256, 128, 10} : new long[] {12, 8, 6, 4};
    }

    private static long samples(Size size) {
        return size == Size.FULL ? 256 : 5;
    }

    @Override
    public String description(Size size) {
        long[] w = widths(size);
        long n = samples(size);
        return "per-sample gradients of cross-entropy, MLP " + w[0] + "-" + w[1] + "-" + w[2] + "-" + w[3] + " with tanh, N=" + n
                + " -> (" + n + ", " + parameterCount(w) + ")";
    }

    private static long parameterCount(long[] w) {
        long m = 0;
        for (int l = 0; l + 1 < w.length; l++) {
            m += w[l + 1] * (w[l] + 1);
        }
        return m;
    }

    /** The model's per-sample loss: {@code [n]} from a slice {@code [n, in]} and its labels. */
    public static PerSampleFunction loss() {
        return (in, targets, p) -> CrossEntropy.apply(logits(in, p), targets);
    }

    private static Tensor logits(Tensor in, List<Tensor> p) {
        Tensor a = in;
        int layers = p.size() / 2;
        for (int l = 0; l < layers; l++) {
            a = Linear.apply(a, p.get(2 * l), p.get(2 * l + 1));
            if (l < layers - 1) {
                a = a.tanh();
            }
        }
        return a;
    }

    /** The same MLP as a {@link Model} (Linear and Tanh layers) holding {@code params}. */
    public static Model model(Size size, List<INDArray> params) {
        long[] w = widths(size);
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l + 1 < w.length; l++) {
            layers.add(dev.jacflux.model.layers.Linear.of("fc" + (l + 1), w[l], w[l + 1]));
            if (l + 2 < w.length) {
                layers.add(new Tanh());
            }
        }
        return Model.of(new Sequential(new long[] {w[0]}, layers), params, List.of());
    }

    /** Seeded parameters {@code [w1, b1, w2, b2, w3, b3]}: weights N(0, 1/fan_in), biases N(0, 0.01). */
    public static List<INDArray> parameters(Size size) {
        long[] w = widths(size);
        List<INDArray> p = new ArrayList<>();
        for (int l = 0; l + 1 < w.length; l++) {
            p.add(SeededData.gaussian(100 + 2 * l, 1 / Math.sqrt(w[l]), w[l + 1], w[l]));
            p.add(SeededData.gaussian(101 + 2 * l, 0.1, w[l + 1]));
        }
        return p;
    }

    /** Seeded inputs {@code [N, 784]} ~ N(0, 1). */
    public static INDArray inputs(Size size) {
        return SeededData.gaussian(1, 1.0, samples(size), widths(size)[0]);
    }

    /** Seeded labels {@code [N]} in {@code [0, 10)}. */
    public static INDArray labels(Size size) {
        return SeededData.labels(2, (int) widths(size)[3], samples(size));
    }

    @Override
    public List<MethodGroup> groups(BenchOptions options) {
        Size size = options.size();
        INDArray x = inputs(size);
        INDArray labels = labels(size);
        List<INDArray> params = parameters(size);
        PerSampleFunction loss = loss();
        long n = samples(size);
        long m = parameterCount(widths(size));
        List<BenchMethod> methods = new ArrayList<>();
        Model model = model(size, params);
        if (options.includes("jacflux")) {
            methods.add(BenchMethod.of("jacflux", () -> {
                INDArray out = Nd4j.createUninitialized(x.dataType(), n, m);
                int chunks = PerSample.gradientsJob(model, x, labels, Loss.crossEntropy(), PerSampleOptions.DEFAULT).chunks().size();
                return new BenchMethod.Prepared() {
                    @Override
                    public INDArray run() {
                        return PerSample.gradients(model, x, labels, Loss.crossEntropy(), PerSampleOptions.DEFAULT, out).matrix();
                    }

                    @Override
                    public String note() {
                        return "PerSample.gradients of the model, " + chunks + (chunks == 1 ? " chunk" : " chunks");
                    }
                };
            }));
        }
        if (options.includes("jacflux-fresh")) {
            methods.add(Methods.fresh(() -> PerSample.gradients(model, x, labels, Loss.crossEntropy()).matrix()));
        }
        if (options.includes("engine")) {
            methods.add(BenchMethod.of("engine", () -> {
                INDArray out = Nd4j.createUninitialized(x.dataType(), n, m);
                PerSampleGradients grads = PerSampleGradients.of(loss);
                return new BenchMethod.Prepared() {
                    @Override
                    public INDArray run() {
                        return grads.compute(x, labels, params, NAMES, out).matrix();
                    }

                    @Override
                    public String note() {
                        return "the engine's generic per-sample mode (PerSampleGradients of a loss function)";
                    }
                };
            }));
        }
        if (options.includes("pipeline")) {
            methods.add(Methods.pipeline(ModelJobs.of(model, Loss.crossEntropy(), JobKind.PER_SAMPLE_GRADIENTS), JobKind.PER_SAMPLE_GRADIENTS,
                    () -> Batch.of("mlp-grads", x, labels), options));
        }
        if (options.includes("fanout")) {
            methods.add(Methods.fanout(ModelJobs.of(model, Loss.crossEntropy(), JobKind.PER_SAMPLE_GRADIENTS), JobKind.PER_SAMPLE_GRADIENTS,
                    () -> Batch.of("mlp-grads", x, labels), options));
        }
        if (options.includes("loop")) {
            methods.add(Methods.plain("loop", () -> RowLoop.perSampleGradients(loss, x, labels, params)));
        }
        if (options.includes("floor")) {
            methods.add(BenchMethod.of("floor", () -> Floors.MlpOuterProducts.forTanhMlp(x, labels, params)::compute));
        }
        return List.of(new MethodGroup("", "(" + n + ", " + m + ")", methods));
    }
}
