package dev.jacflux.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.ops.Conv2d;
import dev.jacflux.autodiff.ops.Conv2dSpec;
import dev.jacflux.autodiff.ops.CrossEntropy;
import dev.jacflux.autodiff.ops.Linear;
import dev.jacflux.autodiff.ops.MaxPool2d;
import dev.jacflux.autodiff.ops.Pool2dSpec;
import dev.jacflux.autodiff.transforms.PerSampleFunction;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.config.JobKind;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.config.Precision;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.BatchNorm2d;
import dev.jacflux.model.layers.Flatten;
import dev.jacflux.model.layers.Relu;
import dev.jacflux.model.layers.Tanh;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import reactor.core.publisher.Flux;

/**
 * Model jobs through the pipeline equal references computed without the model's code: the same
 * network written by hand with the engine's ops (conv2d, relu, max-pool, reshape, linear, tanh,
 * cross-entropy), differentiated by a plain loop of single backward passes ({@link RowLoop}).
 */
class ModelJobsTest {
    private static final Sequential ARCH = Sequential.of(new long[] {1, 6, 6},
            dev.jacflux.model.layers.Conv2d.of("conv", 1, 2, 3), new Relu(), dev.jacflux.model.layers.MaxPool2d.of(2), new Flatten(),
            dev.jacflux.model.layers.Linear.of("fc1", 8, 5), new Tanh(), dev.jacflux.model.layers.Linear.of("fc2", 5, 3));
    private static final Model MODEL = Model.initialize(ARCH, DataType.DOUBLE, 11);
    private static final List<String> NAMES = List.of("conv.weight", "conv.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");

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

    /** The network by hand: conv 3x3 (1 -> 2 channels), relu, 2x2 max-pool, flatten, 8 -> 5, tanh, 5 -> 3. */
    private static Tensor logits(Tensor x, List<Tensor> p) {
        Tensor h = Conv2d.apply(x, p.get(0), p.get(1), Conv2dSpec.DEFAULT).relu();
        h = MaxPool2d.apply(h, Pool2dSpec.of(new int[] {2, 2}));
        h = h.reshape(x.size(0), 8);
        h = Linear.apply(h, p.get(2), p.get(3)).tanh();
        return Linear.apply(h, p.get(4), p.get(5));
    }

    private static List<INDArray> params() {
        return NAMES.stream().map(MODEL::parameter).toList();
    }

    private static final PerSampleFunction LOGITS = (x, t, p) -> logits(x, p);
    private static final PerSampleFunction LOSS = (x, t, p) -> CrossEntropy.apply(logits(x, p), t);

    private static Function<Tensor, Tensor> ofInput() {
        List<Tensor> p = params().stream().map(Tensor::constant).toList();
        return x -> logits(x, p);
    }

    private static INDArray reference(JobKind kind, Batch b) {
        return switch (kind) {
            case BATCH_JACOBIAN -> RowLoop.batchJacobian(ofInput(), b.input());
            case FULL_JACOBIAN -> RowLoop.jacobian(ofInput(), b.input());
            case PER_SAMPLE_GRADIENTS -> RowLoop.perSampleGradients(LOSS, b.input(), b.targets(), params());
            case PER_SAMPLE_GRADIENT_NORMS -> {
                INDArray g = RowLoop.perSampleGradients(LOSS, b.input(), b.targets(), params());
                yield Transforms.sqrt(g.mul(g).sum(1), false);
            }
            case PER_SAMPLE_PARAM_JACOBIAN -> RowLoop.perSampleJacobian(LOGITS, b.input(), params());
        };
    }

    @Test
    void theHandWrittenNetworkIsTheModel() {
        // the reference is only independent if it computes the same function: compare the outputs
        INDArray x = batch("x", 5, 3).input();
        INDArray byHand = ofInput().apply(Tensor.constant(x)).value();
        assertEquals(0, byHand.sub(MODEL.forward(x)).amaxNumber().doubleValue(), 1e-12);
        assertEquals(NAMES, MODEL.layout().names());
    }

    @ParameterizedTest(name = "{0} parallelism {1}")
    @MethodSource("jobsAndParallelism")
    void modelJobsThroughThePipelineEqualLoopReferences(JobKind kind, int parallelism) {
        PipelineConfig config = PipelineConfig.builder().job(kind).parallelism(parallelism).chunkSize(2)
                .precision(Precision.FLOAT64).build();
        List<Batch> batches = List.of(batch("a", 1, 5), batch("b", 2, 3));
        try (JacobianPipeline p = JacobianPipeline.create(config, ModelJobs.of(MODEL, Loss.crossEntropy(), kind))) {
            List<PipelineResult> results = p.process(Flux.fromIterable(batches)).collectList().block();
            assertEquals(batches.size(), results.size());
            for (int i = 0; i < batches.size(); i++) {
                assertTrue(results.get(i) instanceof JacobianResult, "expected a result: " + results);
                INDArray got = ((JacobianResult) results.get(i)).array();
                INDArray want = reference(kind, batches.get(i));
                assertEquals(Arrays.toString(want.shape()), Arrays.toString(got.shape()));
                assertTrue(Double.isFinite(got.sumNumber().doubleValue()), kind + ": non-finite values");
                double diff = want.sub(got).amaxNumber().doubleValue();
                assertTrue(diff < 1e-11, kind + ": max difference " + diff);
            }
        }
    }

    @Test
    void aBatchJacobianOfAModelWithBatchStatisticsIsRefused() {
        // batch norm in training form: each sample's output depends on the whole batch, so J[b] = d y[b] / d x[b] drops terms
        Sequential coupled = Sequential.of(new long[] {1, 6, 6}, dev.jacflux.model.layers.Conv2d.of("conv", 1, 2, 3),
                BatchNorm2d.of("bn", 2).training(true), new Flatten(), dev.jacflux.model.layers.Linear.of("fc", 32, 3));
        Model model = Model.initialize(coupled, DataType.DOUBLE, 3);
        PipelineConfig config = PipelineConfig.builder().job(JobKind.BATCH_JACOBIAN).parallelism(1).precision(Precision.FLOAT64).build();
        try (JacobianPipeline p = JacobianPipeline.create(config, ModelJobs.of(model, null, JobKind.BATCH_JACOBIAN))) {
            PipelineResult r = p.processOne(batch("coupled", 4, 3)).block();
            assertTrue(r instanceof BatchFailure, () -> "a batch Jacobian of a model that couples samples was computed: " + r);
            BatchFailure f = (BatchFailure) r;
            assertEquals(FailureReason.SHAPE, f.reason());
            assertTrue(f.message().contains("batch jacobian") && f.message().contains("'bn'") && f.message().contains("full"),
                    f.message());
        }
        // the full Jacobian assumes nothing, so it is allowed
        PipelineConfig full = PipelineConfig.builder().job(JobKind.FULL_JACOBIAN).parallelism(1).precision(Precision.FLOAT64).build();
        try (JacobianPipeline p = JacobianPipeline.create(full, ModelJobs.of(model, null, JobKind.FULL_JACOBIAN))) {
            assertTrue(p.processOne(batch("coupled", 4, 3)).block().isSuccess());
        }
    }
}
