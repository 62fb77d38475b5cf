package dev.jacflux.examples;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.config.JobKind;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.metrics.JacFluxMetrics;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.pipeline.BatchFailure;
import dev.jacflux.pipeline.JacobianPipeline;
import dev.jacflux.pipeline.JacobianResult;
import dev.jacflux.pipeline.JobDefinitions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import reactor.core.publisher.Flux;

/** The README's embedded-pipeline example: a Flux of batches in, results out, meters printed. */
public final class EmbeddedPipelineExample {
    private EmbeddedPipelineExample() {
    }

    public static void main(String[] args) {
        Nd4j.getRandom().setSeed(7);
        Tensor w = Tensor.constant(Nd4j.randn(DataType.FLOAT, 784, 10).divi(28));
        PipelineConfig config = PipelineConfig.builder()
                .job(JobKind.BATCH_JACOBIAN)
                .parallelism(2)          // rails
                .chunkSize(5)            // output rows per reverse pass
                .batchesInFlight(2)
                .build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JacFluxMetrics metrics = new JacFluxMetrics();
        metrics.bindTo(registry);

        try (JacobianPipeline pipeline = JacobianPipeline.create(config,
                JobDefinitions.batchJacobian(x -> x.matmul(w).softmax(-1)), metrics.listener())) {
            Flux<Batch> batches = Flux.range(0, 6).map(i -> Batch.of("b" + i, Nd4j.rand(DataType.FLOAT, 16, 784)));
            pipeline.process(batches)
                    .doOnNext(r -> {
                        if (r instanceof JacobianResult ok) {
                            System.out.println(ok.batchId() + " ok " + Arrays.toString(ok.array().shape())
                                    + " in " + ok.timings().total().toMillis() + " ms");
                            ok.release();                        // hand the buffer back for reuse
                        } else if (r instanceof BatchFailure f) {
                            System.out.println(f.batchId() + " failed: " + f.message());
                        }
                    })
                    .blockLast();
        }
        registry.getMeters().forEach(m -> System.out.println(m.getId().getName() + " " + m.getId().getTags() + " "
                + m.measure().iterator().next().getStatistic().name().toLowerCase() + "=" + m.measure().iterator().next().getValue()));
    }
}
