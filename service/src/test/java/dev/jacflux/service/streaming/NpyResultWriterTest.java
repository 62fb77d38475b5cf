package dev.jacflux.service.streaming;

import dev.jacflux.model.io.NpyHeader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.JacobianOptions;
import dev.jacflux.config.JobKind;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.model.io.Npz;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.pipeline.BatchFailure;
import dev.jacflux.pipeline.FailureReason;
import dev.jacflux.pipeline.JacobianPipeline;
import dev.jacflux.pipeline.JobDefinitions;
import dev.jacflux.pipeline.PipelineResult;
import dev.jacflux.service.support.Exact;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;

/** The streamed answer is the header of the whole result and then each batch's rows, in order; results go back to the pool. */
class NpyResultWriterTest {
    private final JacobianPipeline pipeline = JacobianPipeline.create(
            PipelineConfig.builder().job(JobKind.BATCH_JACOBIAN).parallelism(2).build(), JobDefinitions.batchJacobian(x -> x.tanh().mul(x)));

    @AfterEach
    void close() {
        pipeline.close();
    }

    private List<INDArray> inputs(int... sizes) {
        List<INDArray> out = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            out.add(Nd4j.rand(Nd4j.getRandomFactory().getNewRandomInstance(100 + i), new long[] {sizes[i], 300}));
        }
        return out;
    }

    private Flux<PipelineResult> results(List<INDArray> in) {
        return pipeline.process(Flux.range(0, in.size()).map(i -> Batch.of("b" + i, in.get(i))));
    }

    private static byte[] collect(Flux<DataBuffer> body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        body.doOnNext(b -> {
            byte[] chunk = new byte[b.readableByteCount()];
            b.read(chunk);
            DataBufferUtils.release(b);
            out.writeBytes(chunk);
        }).blockLast();
        return out.toByteArray();
    }

    @Test
    void theAnswerIsTheNpyOfTheConcatenatedBatches() {
        List<INDArray> in = inputs(3, 3, 2);   // each batch's result is 3 x 300 x 300 x 4 bytes: several blocks
        NpyHeader header = NpyResultWriter.header(DataType.FLOAT, new long[] {8, 300, 300});
        List<String> written = new ArrayList<>();
        byte[] bytes = collect(NpyResultWriter.write(header, results(in), DefaultDataBufferFactory.sharedInstance,
                r -> written.add(r.batchId())));
        assertEquals(NpyResultWriter.contentLength(header), bytes.length);
        INDArray answer = Npz.fromNpy(bytes, "answer");
        List<INDArray> expected = new ArrayList<>();
        for (INDArray x : in) {
            expected.add(BatchJacobian.of(v -> v.tanh().mul(v), JacobianOptions.DEFAULT).compute(x));
        }
        Exact.assertSameValues(Nd4j.concat(0, expected.toArray(INDArray[]::new)), answer, "answer");
        assertEquals(List.of("b0", "b1", "b2"), written);
        assertThat(pipeline.buffers().pooled()).as("results went back to the pool").isGreaterThan(0);
        assertArrayEquals(java.util.Arrays.copyOf(bytes, (int) header.headerBytes()), header.bytes(), "the header comes first");
    }

    @Test
    void aFailureAfterTheStartEndsTheAnswerWithAnError() {
        Flux<PipelineResult> results = results(inputs(2)).concatWith(Flux.just(new BatchFailure("b1", FailureReason.INTERNAL, "boom",
                new RuntimeException("boom"), Map.of())));
        NpyHeader header = NpyResultWriter.header(DataType.FLOAT, new long[] {4, 300, 300});
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> collect(NpyResultWriter.write(header, results, DefaultDataBufferFactory.sharedInstance, r -> { })));
        assertThat(e.getMessage()).contains("batch b1 failed after the answer started: boom");
    }

    @Test
    void cancellingReleasesTheResultBeingWritten() {
        int before = pipeline.buffers().pooled();
        NpyHeader header = NpyResultWriter.header(DataType.FLOAT, new long[] {9, 300, 300});
        NpyResultWriter.write(header, results(inputs(3, 3, 3)), DefaultDataBufferFactory.sharedInstance, r -> { })
                .take(3)
                .doOnNext(DataBufferUtils::release)
                .blockLast();
        assertThat(pipeline.buffers().pooled()).as("the half-written result was released").isGreaterThan(before);
    }

    @Test
    void aResultOfAnotherRowShapeIsRefused() {
        NpyHeader header = NpyResultWriter.header(DataType.FLOAT, new long[] {3, 300, 301});
        assertThrows(IllegalStateException.class,
                () -> collect(NpyResultWriter.write(header, results(inputs(3)), DefaultDataBufferFactory.sharedInstance, r -> { })));
    }
}
