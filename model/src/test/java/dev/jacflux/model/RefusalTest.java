package dev.jacflux.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.model.layers.BatchNorm2d;
import dev.jacflux.model.layers.Flatten;
import dev.jacflux.model.layers.Linear;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

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

    @Test
    void plainTrainingAndInferenceFormStillWork() {
        new Sgd(0.1, Loss.crossEntropy()).step(model, x, y);          // ordinary gradients are exact with batch statistics
        Model inference = model.inferenceForm();
        assertTrue(inference.architecture().couplingLayer().isEmpty());
        assertEquals(4, PerSample.gradients(inference, x, y, Loss.crossEntropy()).matrix().size(0));
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
