package dev.jacflux.bench;

import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.config.JobKind;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.PerSample;
import dev.jacflux.model.ghost.GhostNormsJob;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.pipeline.ModelJobs;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@code lenet-norms} and {@code cnn-norms}: the norms of the per-sample gradients of
 * {@code *-grads} ({@link ConvNet}), without the {@code N x M} matrix: a {@code (N)} result. One
 * group per batch size.
 *
 * <p>Methods: {@code jacflux} (the ghost-norm job run into a reused {@code [N]}),
 * {@code jacflux-fresh} ({@link PerSample#gradientNorms(Model, INDArray, INDArray, Loss)}),
 * {@code via-matrix} (the row norms of {@link PerSample#gradients} into a reused {@code [N, M]}: the
 * {@code *-grads} call plus one reduction, so that "norms at most half of grads" is read in one
 * run), {@code pipeline}, {@code loop} (row norms of N single-sample backward passes) and
 * {@code floor} ({@link ConvNetFloors.Factors#norms()}).
 *
 * <pre>{@code
 * CaseReport r = BenchmarkSuite.run("lenet-norms", BenchOptions.defaults());
 * r.ratio("jacflux", "via-matrix");
 * }</pre>
 */
public final class ConvNetNormsCase implements BenchCase {
    private final ConvNet net;

    /** The per-sample-gradient-norms case of a conv net. */
    public ConvNetNormsCase(ConvNet net) {
        this.net = net;
    }

    @Override
    public String name() {
        return net.name() + "-norms";
    }

    @Override
    public String description(Size size) {
        return "per-sample gradient norms of cross-entropy (no N x M matrix), " + net.text() + ", N in "
                + java.util.Arrays.toString(net.batches(size)) + " -> (N)";
    }

    private static INDArray rowNorms(INDArray m) {
        return Transforms.sqrt(m.mul(m).sum(1), false);
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
                    INDArray out = Nd4j.createUninitialized(x.dataType(), n);
                    return () -> {
                        GhostNormsJob job = PerSample.gradientNormsJob(model, x, labels, ce, PerSampleOptions.DEFAULT);
                        return job.runInto(out);
                    };
                }));
            }
            if (options.includes("jacflux-fresh")) {
                methods.add(Methods.fresh(() -> PerSample.gradientNorms(model, x, labels, ce)));
            }
            if (options.includes("via-matrix")) {
                methods.add(BenchMethod.of("via-matrix", () -> {
                    INDArray out = Nd4j.createUninitialized(x.dataType(), n, m);
                    return () -> rowNorms(PerSample.gradients(model, x, labels, ce, PerSampleOptions.DEFAULT, out).matrix());
                }));
            }
            if (options.includes("pipeline")) {
                methods.add(Methods.pipeline(ModelJobs.of(model, ce, JobKind.PER_SAMPLE_GRADIENT_NORMS), JobKind.PER_SAMPLE_GRADIENT_NORMS,
                        () -> Batch.of(name(), x, labels), options));
            }
            if (options.includes("loop")) {
                methods.add(Methods.plain("loop",
                        () -> rowNorms(RowLoop.perSampleGradients(model.lossFunction(ce), x, labels, model.parameters()))));
            }
            if (options.includes("floor")) {
                methods.add(BenchMethod.of("floor", () -> ConvNetFloors.Factors.of(model, x, labels)::norms));
            }
            String label = net.batches(size).length == 1 ? "" : "N=" + n;
            groups.add(new MethodGroup(label, "(" + n + ")", methods));
        }
        return groups;
    }
}
