package dev.jacflux.kafka;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.model.io.Npz;
import dev.jacflux.pipeline.JacobianResult;
import dev.jacflux.pipeline.StageTimings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Builds result and failure records (see {@link JacFluxHeaders}): the same key as the input, the
 * result as {@code .npy} bytes with its job, shapes, dtype and timings, or an empty value with the
 * one-line {@code jacflux-error}. A result larger than one record may be becomes a
 * {@link WorkerFailureReason#TOO_LARGE} failure (a record the broker refuses would abort every
 * transaction that carries it).
 *
 * <pre>{@code
 * ResultEncoder encoder = new ResultEncoder("worker-1", 1 << 20);
 * Outcome ok = encoder.result(record, decoded, result, Duration.ofMillis(12));
 * Outcome bad = encoder.failure(record, WorkerFailureReason.NOT_NPY, "batch b1: the value is empty; ...");
 * }</pre>
 */
final class ResultEncoder {
    /** Room left in a request for the record batch and record framing. */
    private static final int FRAMING_BYTES = 1024;

    private final String workerId;
    private final int maxRecordBytes;

    /** An encoder stamping {@code workerId}, refusing records above {@code maxRecordBytes} (the producer's max.request.size). */
    ResultEncoder(String workerId, int maxRecordBytes) {
        this.workerId = workerId;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** The result record of a decoded input; the caller releases {@code result} afterwards. */
    Outcome result(ConsumerRecord<byte[], byte[]> in, RecordDecoder.Decoded decoded, JacobianResult result, Duration sincePolled) {
        byte[] value = Npz.toNpy(result.array());
        List<Header> h = common(in);
        add(h, JacFluxHeaders.JOB, decoded.job().headerValue());
        add(h, JacFluxHeaders.MODEL, decoded.modelId());
        if (decoded.loss() != null) {
            add(h, JacFluxHeaders.LOSS, decoded.loss().headerValue());
        }
        add(h, JacFluxHeaders.SHAPE, Shapes.str(result.array().shape()));
        add(h, JacFluxHeaders.INPUT_SHAPE, Shapes.str(decoded.batch().input().shape()));
        add(h, JacFluxHeaders.DTYPE, result.array().dataType() == DataType.DOUBLE ? "float64" : "float32");
        StageTimings t = result.timings();
        add(h, JacFluxHeaders.FORWARD_MS, millis(t.forward()));
        add(h, JacFluxHeaders.VJP_MS, millis(t.vjp()));
        add(h, JacFluxHeaders.ASSEMBLY_MS, millis(t.assembly()));
        add(h, JacFluxHeaders.TOTAL_MS, millis(t.total()));
        add(h, JacFluxHeaders.WORKER_MS, millis(sincePolled));
        long size = (long) value.length + (in.key() == null ? 0 : in.key().length) + headerBytes(h) + FRAMING_BYTES;
        if (size > maxRecordBytes) {
            return failure(in, WorkerFailureReason.TOO_LARGE, "batch " + result.batchId() + ": the result " + Shapes.str(result.array().shape())
                    + " takes " + value.length + " bytes, more than one record may hold (max.request.size " + maxRecordBytes
                    + " bytes); send smaller batches or raise max.request.size with the broker's and topic's message size limits",
                    decoded.job().headerValue(), decoded.modelId());
        }
        return new Outcome(in.key(), value, h, decoded.job().headerValue(), null);
    }

    /** A failure record, naming the job and model when the input named them. */
    Outcome failure(ConsumerRecord<byte[], byte[]> in, WorkerFailureReason reason, String message, String job, String model) {
        List<Header> h = common(in);
        if (job != null) {
            add(h, JacFluxHeaders.JOB, job);
        }
        if (model != null) {
            add(h, JacFluxHeaders.MODEL, model);
        }
        add(h, JacFluxHeaders.ERROR, RecordDecoder.oneLine(message));
        add(h, JacFluxHeaders.ERROR_REASON, reason.tagValue());
        return new Outcome(in.key(), new byte[0], h, job, reason);
    }

    /** A failure record for a rejected input (job and model taken from its headers, if present). */
    Outcome failure(ConsumerRecord<byte[], byte[]> in, RejectedRecordException e) {
        return failure(in, e.reason(), e.getMessage(), text(in, JacFluxHeaders.JOB), text(in, JacFluxHeaders.MODEL));
    }

    private List<Header> common(ConsumerRecord<byte[], byte[]> in) {
        List<Header> h = new ArrayList<>();
        for (Header x : in.headers()) {
            if (!x.key().startsWith(JacFluxHeaders.PREFIX)) {
                h.add(x);
            }
        }
        add(h, JacFluxHeaders.SOURCE, RecordDecoder.source(in));
        add(h, JacFluxHeaders.WORKER, workerId);
        return h;
    }

    private static String text(ConsumerRecord<byte[], byte[]> in, String name) {
        Header h = in.headers().lastHeader(name);
        return h == null || h.value() == null ? null : RecordDecoder.oneLine(new String(h.value(), StandardCharsets.UTF_8));
    }

    private static void add(List<Header> h, String key, String value) {
        h.add(new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8)));
    }

    private static long headerBytes(List<Header> h) {
        long n = 0;
        for (Header x : h) {
            n += x.key().length() + (x.value() == null ? 0 : x.value().length) + 10;
        }
        return n;
    }

    /** Milliseconds with three decimals, rounded half up, e.g. {@code 12.346} (what {@code %.3f} writes, without a Formatter per header). */
    static String millis(Duration d) {
        long micros = (d.toNanos() + 500) / 1000;
        long fraction = micros % 1000;
        return (micros / 1000) + (fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".") + fraction;
    }
}
