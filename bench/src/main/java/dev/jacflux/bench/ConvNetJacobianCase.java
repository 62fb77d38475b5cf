package dev.jacflux.bench;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.config.JobKind;
import dev.jacflux.model.Model;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.pipeline.JobDefinitions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code lenet-jacobian} and {@code cnn-jacobian}: the batch Jacobian of a conv net's logits with
 * respect to its input ({@link ConvNet}); for LeNet-5 on {@code x (128, 1, 28, 28)} a
 * {@code (128, 10, 784)} result. One group per batch size.
 *
 * <p>Methods: {@code jacflux} ({@link BatchJacobian#compute(INDArray, INDArray)} into a reused
 * buffer), {@code jacflux-fresh} (the same call without a buffer, {@link BatchJacobian#compute(INDArray)}),
 * {@code pipeline}, {@code loop} (one backward pass per logit, {@link RowLoop#batchJacobian}),
 * {@code floor} ({@link ConvNetFloors.Jacobian}).
 *
 * <pre>{@code
 * CaseReport r = BenchmarkSuite.run("lenet-jacobian", BenchOptions.defaults());
 * }</pre>
 */
public final class ConvNetJacobianCase implements BenchCase {
    private final ConvNet net;

    /** The batch-Jacobian case of a conv net. */
    public ConvNetJacobianCase(ConvNet net) {
        this.net = net;
    }

    @Override
    public String name() {
        return net.name() + "-jacobian";
    }

    @Override
    public String description(Size size) {
        return "batch Jacobian of the logits of " + net.text() + ", x " + shapes(size, true) + " -> " + shapes(size, false);
    }

    private String shapes(Size size, boolean input) {
        List<String> s = new ArrayList<>();
        long classes = net.architecture(size).outputShape()[0];
        long in = 1;
        for (long d : net.architecture(size).inputShape()) {
            in *= d;
        }
        for (long n : net.batches(size)) {
            s.add(input ? net.inputText(size, n) : "(" + n + ", " + classes + ", " + in + ")");
        }
        return String.join(" / ", s);
    }

    @Override
    public List<MethodGroup> groups(BenchOptions options) {
        Size size = options.size();
        Model model = net.model(size);
        Function<Tensor, Tensor> f = ConvNet.logits(model);
        long classes = net.architecture(size).outputShape()[0];
        List<MethodGroup> groups = new ArrayList<>();
        for (long n : net.batches(size)) {
            INDArray x = net.inputs(size, n);
            long in = x.length() / n;
            List<BenchMethod> methods = new ArrayList<>();
            if (options.includes("jacflux")) {
                methods.add(Methods.batchJacobian(f, x, n, classes, in));
            }
            if (options.includes("jacflux-fresh")) {
                methods.add(Methods.fresh(() -> BatchJacobian.of(f).compute(x)));
            }
            if (options.includes("pipeline")) {
                methods.add(Methods.pipeline(JobDefinitions.batchJacobian(f), JobKind.BATCH_JACOBIAN, () -> Batch.of(name(), x), options));
            }
            if (options.includes("loop")) {
                methods.add(Methods.plain("loop", () -> RowLoop.batchJacobian(f, x)));
            }
            if (options.includes("floor")) {
                methods.add(BenchMethod.of("floor", () -> {
                    ConvNetFloors.Jacobian floor = new ConvNetFloors.Jacobian(model, n);
                    return () -> floor.compute(x);
                }));
            }
            String label = net.batches(size).length == 1 ? "" : "N=" + n;
            groups.add(new MethodGroup(label, "(" + n + ", " + classes + ", " + in + ")", methods));
        }
        return groups;
    }
}
