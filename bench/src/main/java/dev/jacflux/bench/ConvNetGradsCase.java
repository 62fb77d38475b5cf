package dev.jacflux.bench;

import dev.jacflux.autodiff.transforms.PerSampleGradients;
import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.config.JobKind;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.PerSample;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.pipeline.ModelJobs;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code lenet-grads} and {@code cnn-grads}: per-sample gradients of the per-sample cross-entropy
 * of a conv net ({@link ConvNet}) with respect to all its parameters; for LeNet-5 with N = 128 a
 * {@code (128, 44426)} result. One group per batch size.
 *
 * <p>Methods: {@code jacflux} ({@link PerSample#gradients(Model, INDArray, INDArray, Loss,
 * PerSampleOptions, INDArray)} into a reused buffer), {@code jacflux-fresh} (what users call first,
 * {@link PerSample#gradients(Model, INDArray, INDArray, Loss)}), {@code engine} (the engine's
 * generic per-sample mode, {@link PerSample#gradientsJobViaEngine}), {@code pipeline},
 * {@code loop} (N single-sample backward passes) and {@code floor} ({@link ConvNetFloors.Factors}:
 * the per-sample products given each layer's input and output cotangent).
 *
 * <pre>{@code
 * CaseReport r = BenchmarkSuite.run("lenet-grads", BenchOptions.defaults());
 * }</pre>
 */
public final class ConvNetGradsCase implements BenchCase {
    private final ConvNet net;

    /** The per-sample-gradients case of a conv net. */
    public ConvNetGradsCase(ConvNet net) {
        this.net = net;
    }

    @Override
    public String name() {
        return net.name() + "-grads";
    }

    @Override
    public String description(Size size) {
        long m = net.architecture(size).parameterLayout().size();
        List<String> s = new ArrayList<>();
        for (long n : net.batches(size)) {
            s.add("(" + n + ", " + m + ")");
        }
        return "per-sample gradients of cross-entropy, " + net.text() + ", N in " + java.util.Arrays.toString(net.batches(size)) + " -> "
                + String.join(" / ", s);
    }

    @Override
    public List<MethodGroup> groups(BenchOptions options) {
        Size size = options.size();
        Model model = net.model(size);
        Loss ce = Loss.crossEntropy();
        long m = model.parameterCount();
        List<MethodGroup> groups = new ArrayList<>();
        for (long n : net.batches(size)) {
            INDArray x = net.inputs(size, n);
            INDArray labels = net.labels(size, n);
            List<BenchMethod> methods = new ArrayList<>();
            if (options.includes("jacflux")) {
                methods.add(BenchMethod.of("jacflux", () -> {
                    INDArray out = Nd4j.createUninitialized(x.dataType(), n, m);
                    return () -> PerSample.gradients(model, x, labels, ce, PerSampleOptions.DEFAULT, out).matrix();
                }));
            }
            if (options.includes("jacflux-fresh")) {
                methods.add(Methods.fresh(() -> PerSample.gradients(model, x, labels, ce).matrix()));
            }
            if (options.includes("engine")) {
                methods.add(BenchMethod.of("engine", () -> {
                    INDArray out = Nd4j.createUninitialized(x.dataType(), n, m);
                    return () -> {
                        PerSampleGradients.Job job = PerSample.gradientsJobViaEngine(model, x, labels, ce, PerSampleOptions.DEFAULT);
                        return job.runInto(out);
                    };
                }));
            }
            if (options.includes("pipeline")) {
                methods.add(Methods.pipeline(ModelJobs.of(model, ce, JobKind.PER_SAMPLE_GRADIENTS), JobKind.PER_SAMPLE_GRADIENTS,
                        () -> Batch.of(name(), x, labels), options));
            }
            if (options.includes("loop")) {
                methods.add(Methods.plain("loop", () -> RowLoop.perSampleGradients(model.lossFunction(ce), x, labels, model.parameters())));
            }
            if (options.includes("floor")) {
                methods.add(BenchMethod.of("floor", () -> ConvNetFloors.Factors.of(model, x, labels)::gradients));
            }
            String label = net.batches(size).length == 1 ? "" : "N=" + n;
            groups.add(new MethodGroup(label, "(" + n + ", " + m + ")", methods));
        }
        return groups;
    }
}
