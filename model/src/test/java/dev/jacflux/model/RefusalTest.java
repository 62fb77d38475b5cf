package dev.jacflux.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.model.layers.BatchNorm2d;
import dev.jacflux.model.layers.Flatten;
import dev.jacflux.model.layers.Linear;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Models that couple samples (batch norm with batch statistics) are refused before anything is computed. */
class RefusalTest {
    private final Sequential training = Sequential.of(new long[] {2, 2, 2}, BatchNorm2d.of("bn1", 2).training(true), new Flatten(),
            Linear.of("fc", 8, 3));
    private final Model model = Fixtures.randomModel(training, 61);
    private final INDArray x = Fixtures.normal(62, 4, 2, 2, 2);
    private final INDArray y = Fixtures.labels(63, 4, 3);

    private void assertRefused(String what, Consumer<Loss> call) {
        AtomicInteger calls = new AtomicInteger();
        Loss counting = (out, t) -> {
            calls.incrementAndGet();
            return Loss.crossEntropy().apply(out, t);
        };
        ModelException e = assertThrows(ModelException.class, () -> call.accept(counting), what);
        String msg = e.getMessage();
        assertTrue(msg.contains("layers[0] 'bn1' (batch_norm2d)"), msg);
        assertTrue(msg.contains("training form"), msg);
        assertTrue(msg.contains("couple the samples") && msg.contains("per-sample gradient is not defined"), msg);
        assertTrue(msg.contains("inference form") && msg.contains("running statistics"), msg);
        assertEquals(0, calls.get(), what + ": nothing may be computed before refusing");
    }

    @Test
    void everyPerSampleComputationRefusesTheTrainingForm() {
        assertRefused("gradients", l -> PerSample.gradients(model, x, y, l));
        assertRefused("gradients job", l -> PerSample.gradientsJob(model, x, y, l, PerSampleOptions.DEFAULT));
        assertRefused("norms", l -> PerSample.gradientNorms(model, x, y, l));
        assertRefused("norms job", l -> PerSample.gradientNormsJob(model, x, y, l, PerSampleOptions.DEFAULT));
        assertRefused("jacobian", l -> PerSample.parameterJacobian(model, x));
        assertRefused("dp-sgd ghost", l -> DpSgd.of(0.1, 1.0, 1.0, l).step(model, x, y, 1L));
        assertRefused("dp-sgd matrix", l -> DpSgd.of(0.1, 1.0, 1.0, l).withMethod(DpSgd.Method.PER_SAMPLE_MATRIX).step(model, x, y, 1L));
    }

    /** The mean cross-entropy of the whole batch under {@code m}, by a plain forward pass (batch statistics in training form). */
    private double meanLoss(Model m) {
        INDArray logits = m.forward(x);
        double total = 0;
        for (int b = 0; b < 4; b++) {
            double max = logits.getRow(b).maxNumber().doubleValue();
            double sum = 0;
            for (int k = 0; k < 3; k++) {
                sum += Math.exp(logits.getDouble(b, k) - max);
            }
            total += max + Math.log(sum) - logits.getDouble(b, y.getLong(b));
        }
        return total / 4;
    }

    @Test
    void plainTrainingAndInferenceFormStillWork() {
        // ordinary gradients are exact with batch statistics: an SGD step moves each parameter by
        // -lr times the central difference of the batch's mean loss
        double lr = 0.1;
        Model stepped = new Sgd(lr, Loss.crossEntropy()).step(model, x, y).model();
        INDArray before = model.parameterVector();
        INDArray moved = stepped.parameterVector().sub(before).divi(-lr);
        double eps = 1e-6;
        INDArray fd = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.DOUBLE, before.length());
        for (int i = 0; i < before.length(); i++) {
            INDArray plus = before.dup();
            INDArray minus = before.dup();
            plus.putScalar(i, before.getDouble(i) + eps);
            minus.putScalar(i, before.getDouble(i) - eps);
            fd.putScalar(i, (meanLoss(withVector(plus)) - meanLoss(withVector(minus))) / (2 * eps));
        }
        Fixtures.assertClose("sgd step of the training form", fd, moved, 1e-7, 1e-5);

        Model inference = model.inferenceForm();
        assertTrue(inference.architecture().couplingLayer().isEmpty());
        INDArray loop = RowLoop.perSampleGradients(inference.lossFunction(Loss.crossEntropy()), x, y, inference.parameters());
        Fixtures.assertClose("per-sample gradients of the inference form", loop,
                PerSample.gradients(inference, x, y, Loss.crossEntropy()).matrix());
    }

    /** The model with its parameters replaced by the flat vector {@code v} (layout order). */
    private Model withVector(INDArray v) {
        java.util.List<INDArray> ps = new java.util.ArrayList<>();
        long at = 0;
        for (INDArray p : model.parameters()) {
            ps.add(v.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(at, at + p.length())).dup().reshape(p.shape()));
            at += p.length();
        }
        return model.withParameters(ps);
    }

    @Test
    void batchNormWithoutRunningStatisticsSaysSo() {
        Sequential arch = Sequential.of(new long[] {2, 2, 2}, new BatchNorm2d("bn", 2, 1e-5, true, false, false), new Flatten(),
                Linear.of("fc", 8, 3));
        Model m = Fixtures.randomModel(arch, 64);
        ModelException e = assertThrows(ModelException.class, () -> PerSample.gradients(m, x, y, Loss.crossEntropy()));
        assertTrue(e.getMessage().contains("track_running_stats = false") && e.getMessage().contains("couple the samples"), e.getMessage());
        assertEquals(List.of(), arch.bufferNames());
    }
}
