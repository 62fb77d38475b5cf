package dev.jacflux.service.streaming;

import dev.jacflux.model.io.NpyHeader;
import dev.jacflux.pipeline.BatchFailure;
import dev.jacflux.pipeline.JacobianResult;
import dev.jacflux.pipeline.PipelineResult;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Consumer;
import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;

/**
 * Writes a streamed {@code .npy} answer: the header of the whole result first, then each batch's
 * rows as its result arrives, in order, copied from the result's off-heap memory in blocks of
 * {@value #BLOCK} bytes as the connection asks for them. A result is handed back to the pipeline's
 * buffer pool ({@link JacobianResult#release()}) once its last block is copied, and at most one
 * further result is requested ahead, so the server holds a few batches, never the whole answer. A
 * cancelled answer (the client went away) releases the result it held and cancels the results not
 * yet computed.
 *
 * <pre>{@code
 * NpyHeader header = NpyResultWriter.header(DataType.FLOAT, new long[] {1000, 10, 784});
 * Flux<DataBuffer> body = NpyResultWriter.write(header, expectedBatchShape, results, bufferFactory, r -> {});
 * }</pre>
 */
public final class NpyResultWriter {
    /** Bytes per written block. */
    public static final int BLOCK = 64 * 1024;

    private NpyResultWriter() {
    }

    /** The header of a result of {@code shape} in {@code dtype} (FLOAT or DOUBLE), in this machine's byte order. */
    public static NpyHeader header(DataType dtype, long[] shape) {
        char order = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? '<' : '>';
        return NpyHeader.of(order + (dtype == DataType.DOUBLE ? "f8" : "f4"), shape);
    }

    /** Bytes of the whole answer: header plus data. */
    public static long contentLength(NpyHeader header) {
        return header.headerBytes() + header.dataBytes();
    }

    /**
     * The answer's bytes.
     *
     * @param header       the whole result's header (written first)
     * @param results      the batches' results, in order; a {@link BatchFailure} ends the answer with an error
     * @param written      called with each result after its bytes are copied (before it is released)
     */
    public static Flux<DataBuffer> write(NpyHeader header, Flux<PipelineResult> results, DataBufferFactory factory,
            Consumer<JacobianResult> written) {
        Mono<DataBuffer> head = Mono.fromCallable(() -> factory.wrap(header.bytes()));
        return Flux.concat(head, results.concatMap(r -> rows(r, header, factory, written), 0));
    }

    private static Flux<DataBuffer> rows(PipelineResult r, NpyHeader header, DataBufferFactory factory, Consumer<JacobianResult> written) {
        if (r instanceof BatchFailure f) {
            return Flux.error(new IllegalStateException("batch " + f.batchId() + " failed after the answer started: " + f.message(),
                    f.cause()));
        }
        JacobianResult ok = (JacobianResult) r;
        INDArray a = ok.array();
        long[] shape = a.shape();
        long[] want = header.shape();
        if (shape.length != want.length || !Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), Arrays.copyOfRange(want, 1, want.length))) {
            ok.release();
            return Flux.error(new IllegalStateException("batch " + ok.batchId() + " result " + Arrays.toString(shape)
                    + " does not fit the answer's shape " + Arrays.toString(want)));
        }
        INDArray c = a.ordering() == 'c' && !a.isView() ? a : a.dup('c');
        long bytes = c.length() * c.dataType().width();
        BytePointer base = new BytePointer(c.data().addressPointer()).position(0).capacity(bytes);
        return Flux.<DataBuffer, Long>generate(() -> 0L, (Long pos, SynchronousSink<DataBuffer> sink) -> {
            if (pos >= bytes) {
                sink.complete();
                return pos;
            }
            int n = (int) Math.min(BLOCK, bytes - pos);
            ByteBuffer window = base.position(pos).limit(pos + n).asByteBuffer();
            DataBuffer out = factory.allocateBuffer(n);
            out.write(window);
            sink.next(out);
            return pos + n;
        }).doOnComplete(() -> written.accept(ok)).doFinally(s -> {
            if (c != a) {
                c.close();   // also keeps the copy reachable until its last block is written
            }
            ok.release();
        });
    }
}
