package dev.jacflux.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.FullJacobian;
import dev.jacflux.autodiff.transforms.PerSampleGradientNorms;
import dev.jacflux.autodiff.transforms.PerSampleGradients;
import dev.jacflux.autodiff.transforms.PerSampleJacobian;
import dev.jacflux.config.JobKind;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.config.Precision;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import reactor.core.publisher.Flux;

/** Results through the pipeline equal the direct library calls, for every job, with 1 and 2 rails. */
class PipelineResultsTest {

    static Stream<Arguments> jobsAndParallelism() {
        return Stream.of(JobKind.values()).flatMap(k -> Stream.of(Arguments.of(k, 1), Arguments.of(k, 2)));
    }

    private static INDArray direct(JobKind kind, Batch b) {
        DataType d = DataType.DOUBLE;
        return switch (kind) {
            case BATCH_JACOBIAN -> BatchJacobian.of(Fixtures.mlp(d)).compute(b.input());
            case FULL_JACOBIAN -> FullJacobian.of(Fixtures.mlp(d)).compute(b.input());
            case PER_SAMPLE_GRADIENTS -> PerSampleGradients.of(Fixtures.LOSS).compute(b.input(), b.targets(), Fixtures.params(d),
                    Fixtures.NAMES).matrix();
            case PER_SAMPLE_GRADIENT_NORMS -> PerSampleGradientNorms.of(Fixtures.LOSS).compute(b.input(), b.targets(),
                    Fixtures.params(d), Fixtures.NAMES);
            case PER_SAMPLE_PARAM_JACOBIAN -> PerSampleJacobian.of(Fixtures.LOGITS).compute(b.input(), Fixtures.params(d), Fixtures.NAMES);
        };
    }

    @ParameterizedTest(name = "{0} parallelism {1}")
    @MethodSource("jobsAndParallelism")
    void pipelineEqualsDirectCall(JobKind kind, int parallelism) {
        PipelineConfig config = PipelineConfig.builder().job(kind).parallelism(parallelism).chunkSize(2)
                .precision(Precision.FLOAT64).batchesInFlight(2).chunksInFlight(4).build();
        List<Batch> batches = List.of(Fixtures.batch("a", 10, 5, DataType.DOUBLE), Fixtures.batch("b", 11, 3, DataType.DOUBLE),
                Fixtures.batch("c", 12, 4, DataType.DOUBLE));
        try (JacobianPipeline pipeline = JacobianPipeline.create(config, Fixtures.definition(kind, DataType.DOUBLE))) {
            List<PipelineResult> results = pipeline.process(Flux.fromIterable(batches)).collectList().block();
            assertEquals(3, results.size());
            for (int i = 0; i < 3; i++) {
                PipelineResult r = results.get(i);
                assertEquals(batches.get(i).id(), r.batchId());
                assertTrue(r instanceof JacobianResult, () -> "expected a result, got " + r);
                JacobianResult ok = (JacobianResult) r;
                INDArray expected = direct(kind, batches.get(i));
                assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(ok.array().shape()));
                double diff = expected.sub(ok.array()).amaxNumber().doubleValue();
                assertTrue(diff < 1e-12, kind + " batch " + r.batchId() + ": max difference " + diff);
                assertEquals(batches.get(i).samples(), ok.samples());
            }
        }
    }
}
