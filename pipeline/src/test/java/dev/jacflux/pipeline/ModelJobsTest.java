package dev.jacflux.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.FullJacobian;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.config.JobKind;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.config.Precision;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.Conv2d;
import dev.jacflux.model.layers.Flatten;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.MaxPool2d;
import dev.jacflux.model.layers.Relu;
import dev.jacflux.model.layers.Tanh;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import reactor.core.publisher.Flux;

/** Model jobs through the pipeline equal loop references computed independently, for every job. */
class ModelJobsTest {
    private static final Sequential ARCH = Sequential.of(new long[] {1, 6, 6},
            Conv2d.of("conv", 1, 2, 3), new Relu(), MaxPool2d.of(2), new Flatten(), Linear.of("fc1", 8, 5), new Tanh(), Linear.of("fc2", 5, 3));
    private static final Model MODEL = Model.initialize(ARCH, DataType.DOUBLE, 11);

    static Stream<Arguments> jobsAndParallelism() {
        return Stream.of(JobKind.values()).flatMap(k -> Stream.of(Arguments.of(k, 1), Arguments.of(k, 2)));
    }

    private static Batch batch(String id, long seed, int n) {
        INDArray x = Fixtures.random(seed, DataType.DOUBLE, n, 1, 6, 6);
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (seed + i) % 3;
        }
        return Batch.of(id, x, Nd4j.createFromArray(labels));
    }

    private static INDArray reference(JobKind kind, Batch b) {
        var f = ModelJobs.forward(MODEL);
        var loss = MODEL.lossFunction(Loss.crossEntropy());
        return switch (kind) {
            case BATCH_JACOBIAN -> RowLoop.batchJacobian(f, b.input());
            case FULL_JACOBIAN -> RowLoop.jacobian(f, b.input());
            case PER_SAMPLE_GRADIENTS -> RowLoop.perSampleGradients(loss, b.input(), b.targets(), MODEL.parameters());
            case PER_SAMPLE_GRADIENT_NORMS -> {
                INDArray g = RowLoop.perSampleGradients(loss, b.input(), b.targets(), MODEL.parameters());
                yield Transforms.sqrt(g.mul(g).sum(1), false);
            }
            case PER_SAMPLE_PARAM_JACOBIAN -> RowLoop.perSampleJacobian(MODEL.asFunction(), b.input(), MODEL.parameters());
        };
    }

    @ParameterizedTest(name = "{0} parallelism {1}")
    @MethodSource("jobsAndParallelism")
    void modelJobsThroughThePipelineEqualLoopReferences(JobKind kind, int parallelism) {
        PipelineConfig config = PipelineConfig.builder().job(kind).parallelism(parallelism).chunkSize(2)
                .precision(Precision.FLOAT64).build();
        List<Batch> batches = List.of(batch("a", 1, 5), batch("b", 2, 3));
        try (JacobianPipeline p = JacobianPipeline.create(config, ModelJobs.of(MODEL, Loss.crossEntropy(), kind))) {
            List<PipelineResult> results = p.process(Flux.fromIterable(batches)).collectList().block();
            for (int i = 0; i < batches.size(); i++) {
                assertTrue(results.get(i) instanceof JacobianResult, () -> "expected a result: " + results);
                INDArray got = ((JacobianResult) results.get(i)).array();
                INDArray want = reference(kind, batches.get(i));
                assertEquals(java.util.Arrays.toString(want.shape()), java.util.Arrays.toString(got.shape()));
                double diff = want.sub(got).amaxNumber().doubleValue();
                assertTrue(diff < 1e-11, kind + ": max difference " + diff);
            }
        }
    }
}
