package dev.jacflux.pipeline;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.ops.CrossEntropy;
import dev.jacflux.autodiff.transforms.PerSampleFunction;
import dev.jacflux.config.JobKind;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Small seeded models and batches shared by the pipeline tests. */
final class Fixtures {
    static final int IN = 6;
    static final int HIDDEN = 5;
    static final int OUT = 3;

    private Fixtures() {
    }

    static INDArray random(long seed, DataType dtype, long... shape) {
        Random rnd = new Random(seed);
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double[] data = new double[(int) n];
        for (int i = 0; i < data.length; i++) {
            data[i] = rnd.nextDouble() * 2 - 1;
        }
        return Nd4j.create(data, shape, DataType.DOUBLE).castTo(dtype);
    }

    static final List<String> NAMES = List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");

    static List<INDArray> params(DataType dtype) {
        return List.of(random(1, dtype, HIDDEN, IN), random(2, dtype, HIDDEN), random(3, dtype, OUT, HIDDEN), random(4, dtype, OUT));
    }

    /** logits = tanh(x W1^T + b1) W2^T + b2 with PyTorch-layout weights. */
    static final PerSampleFunction LOGITS = (x, t, p) -> x.matmul(p.get(0).transpose()).add(p.get(1)).tanh()
            .matmul(p.get(2).transpose()).add(p.get(3));

    static final PerSampleFunction LOSS = (x, t, p) -> CrossEntropy.apply(LOGITS.apply(x, t, p), t);

    /** The same MLP as a function of the input only, with fixed parameters. */
    static Function<Tensor, Tensor> mlp(DataType dtype) {
        List<Tensor> p = params(dtype).stream().map(Tensor::constant).toList();
        return x -> LOGITS.apply(x, null, p);
    }

    static Batch batch(String id, long seed, int samples, DataType dtype) {
        INDArray x = random(seed, dtype, samples, IN);
        long[] labels = new long[samples];
        for (int i = 0; i < samples; i++) {
            labels[i] = (seed + i) % OUT;
        }
        return Batch.of(id, x, Nd4j.createFromArray(labels));
    }

    static JobDefinition definition(JobKind kind, DataType dtype) {
        return switch (kind) {
            case BATCH_JACOBIAN -> JobDefinitions.batchJacobian(mlp(dtype));
            case FULL_JACOBIAN -> JobDefinitions.fullJacobian(mlp(dtype));
            case PER_SAMPLE_GRADIENTS -> JobDefinitions.perSampleGradients(LOSS, params(dtype), NAMES);
            case PER_SAMPLE_GRADIENT_NORMS -> JobDefinitions.perSampleGradientNorms(LOSS, params(dtype), NAMES);
            case PER_SAMPLE_PARAM_JACOBIAN -> JobDefinitions.perSampleParameterJacobian(LOGITS, params(dtype), NAMES);
        };
    }
}
