package dev.jacflux.kafka;

import dev.jacflux.model.io.UnknownModelException;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.config.Precision;
import dev.jacflux.model.Model;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.PerSample;
import dev.jacflux.model.io.Npz;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.pipeline.InputChecks;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Turns an input record into a pipeline {@link Batch} (or rejects it with a reason and a one-line
 * message): key = batch id, value = the input {@code .npy}, headers {@code jacflux-job},
 * {@code jacflux-model} and, for {@code grads} and {@code norms}, {@code jacflux-loss} and
 * {@code jacflux-targets}. Checks what the pipeline cannot know: the model exists, the input fits
 * its {@code input_shape}, the targets fit the loss.
 *
 * <pre>{@code
 * RecordDecoder decoder = new RecordDecoder(cache, Precision.FLOAT32);
 * try {
 *     RecordDecoder.Decoded d = decoder.decode(record);
 *     pipelines.process(d.job(), d.batch());
 * } catch (RejectedRecordException e) {
 *     produceFailure(record, e.reason(), e.getMessage());
 * }
 * }</pre>
 */
public final class RecordDecoder {
    private final ModelCache models;
    private final DataType dtype;

    /** A decoder looking models up in {@code models}, converting inputs to {@code precision}. */
    public RecordDecoder(ModelCache models, Precision precision) {
        this.models = models;
        this.dtype = InputChecks.dtype(precision);
    }

    /**
     * A decoded input record.
     *
     * @param job the job
     * @param modelId the model id
     * @param loss the loss, or null for the jobs without one
     * @param batch the batch (id = the key; attributes carry job, model and loss)
     */
    public record Decoded(WorkerJob job, String modelId, WorkerLoss loss, Batch batch) {
    }

    /** The batch id of a record: its key as UTF-8 text, or {@code topic-partition@offset} without a key. */
    public static String batchId(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? source(r) : new String(r.key(), StandardCharsets.UTF_8);
    }

    /** {@code topic-partition@offset}. */
    public static String source(ConsumerRecord<?, ?> r) {
        return r.topic() + "-" + r.partition() + "@" + r.offset();
    }

    /**
     * Decodes {@code r}.
     *
     * @throws RejectedRecordException naming the batch, the part of the record and what was expected
     */
    public Decoded decode(ConsumerRecord<byte[], byte[]> r) {
        String id = batchId(r);
        String batch = "batch " + id;
        if (r.key() == null) {
            throw new RejectedRecordException(WorkerFailureReason.MISSING_KEY, "record " + source(r)
                    + ": no key; expected the batch id as the record key");
        }
        String jobName = header(r, JacFluxHeaders.JOB);
        if (jobName == null) {
            throw missing(batch, JacFluxHeaders.JOB, WorkerJob.choices());
        }
        WorkerJob job = WorkerJob.parse(jobName).orElseThrow(() -> new RejectedRecordException(WorkerFailureReason.BAD_HEADER,
                batch + ": header " + JacFluxHeaders.JOB + " is '" + jobName + "'; expected " + WorkerJob.choices()));
        String modelId = header(r, JacFluxHeaders.MODEL);
        if (modelId == null) {
            throw missing(batch, JacFluxHeaders.MODEL, "a model id (16 lowercase hex characters)");
        }
        WorkerLoss loss = null;
        byte[] targetBytes = null;
        if (job.needsTargets()) {
            String lossName = header(r, JacFluxHeaders.LOSS);
            if (lossName == null) {
                throw missing(batch, JacFluxHeaders.LOSS, WorkerLoss.choices() + " (job " + job.headerValue() + " needs a loss)");
            }
            loss = WorkerLoss.parse(lossName).orElseThrow(() -> new RejectedRecordException(WorkerFailureReason.BAD_HEADER,
                    batch + ": header " + JacFluxHeaders.LOSS + " is '" + lossName + "'; expected " + WorkerLoss.choices()));
            Header t = r.headers().lastHeader(JacFluxHeaders.TARGETS);
            if (t == null || t.value() == null) {
                throw missing(batch, JacFluxHeaders.TARGETS, "the targets as .npy bytes (job " + job.headerValue() + " needs targets)");
            }
            targetBytes = t.value();
        }
        Model model = model(batch, modelId);
        INDArray x = npy(batch, "value", r.value());
        checkInput(batch, modelId, model, x);
        independent(batch, modelId, model, job);   // every job here is per sample
        INDArray targets = targetBytes == null ? null
                : targets(batch, modelId, model, loss, npy(batch, "header " + JacFluxHeaders.TARGETS, targetBytes), x.size(0));
        Map<String, String> attributes = loss == null
                ? Map.of(JacFluxHeaders.JOB, job.headerValue(), JacFluxHeaders.MODEL, modelId)
                : Map.of(JacFluxHeaders.JOB, job.headerValue(), JacFluxHeaders.MODEL, modelId, JacFluxHeaders.LOSS, loss.headerValue());
        return new Decoded(job, modelId, loss, new Batch(id, x, targets, attributes));
    }

    private Model model(String batch, String id) {
        try {
            return models.get(id).model();
        } catch (UnknownModelException e) {
            throw new RejectedRecordException(WorkerFailureReason.UNKNOWN_MODEL, batch + ": " + e.getMessage());
        } catch (ModelException e) {
            throw new RejectedRecordException(WorkerFailureReason.BAD_MODEL, batch + ": " + oneLine(e.getMessage()));
        }
    }

    private static INDArray npy(String batch, String part, byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new RejectedRecordException(WorkerFailureReason.NOT_NPY, batch + ": the " + part
                    + " is empty; expected the bytes of a NumPy .npy file");
        }
        try {
            return Npz.fromNpy(bytes, part);
        } catch (RuntimeException e) {
            // any decoding error, whatever the reader throws for malformed bytes
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new RejectedRecordException(WorkerFailureReason.NOT_NPY, batch + ": " + oneLine(m.startsWith(part) ? m : part + ": " + m));
        }
    }

    private void checkInput(String batch, String modelId, Model model, INDArray x) {
        if (!x.dataType().isFPType()) {
            throw new RejectedRecordException(WorkerFailureReason.SHAPE, batch + ": input dtype " + x.dataType()
                    + " is not floating point; expected float32 or float64");
        }
        long[] want = model.architecture().inputShape();
        long[] got = x.shape();
        if (got.length != want.length + 1 || !Arrays.equals(Shapes.range(got, 1, got.length), want)) {
            throw new RejectedRecordException(WorkerFailureReason.SHAPE, batch + ": input shape " + Shapes.str(got)
                    + " does not match the input_shape " + Shapes.str(want) + " of model " + modelId + "; expected [B, "
                    + Shapes.str(want).substring(1));
        }
        if (got[0] < 1) {
            throw new RejectedRecordException(WorkerFailureReason.SHAPE, batch + ": empty batch, input shape " + Shapes.str(got)
                    + "; expected at least one sample");
        }
    }

    private static void independent(String batch, String modelId, Model model, WorkerJob job) {
        try {
            PerSample.requireIndependentSamples(model, job.headerValue());
        } catch (ModelException e) {
            throw new RejectedRecordException(WorkerFailureReason.BAD_MODEL, batch + ": model " + modelId + ": " + oneLine(e.getMessage()));
        }
    }

    private INDArray targets(String batch, String modelId, Model model, WorkerLoss loss, INDArray t, long samples) {
        String where = batch + ": header " + JacFluxHeaders.TARGETS + ": ";
        long[] out = model.architecture().outputShape();
        if (loss == WorkerLoss.CROSS_ENTROPY) {
            if (out.length != 1) {
                throw new RejectedRecordException(WorkerFailureReason.TARGETS, where + "cross_entropy needs a model whose per-sample"
                        + " output is a vector of class scores [C], but model " + modelId + " outputs " + Shapes.str(out));
            }
            if (!t.dataType().isIntType()) {
                throw new RejectedRecordException(WorkerFailureReason.TARGETS, where + "dtype " + t.dataType()
                        + "; cross_entropy expects integer class indices (int32 or int64)");
            }
            if (t.rank() != 1 || t.size(0) != samples) {
                throw new RejectedRecordException(WorkerFailureReason.TARGETS, where + "shape " + Shapes.str(t.shape())
                        + "; cross_entropy expects class indices of shape [" + samples + "] (one per sample)");
            }
            long[] classes = t.toLongVector();
            for (int i = 0; i < classes.length; i++) {
                if (classes[i] < 0 || classes[i] >= out[0]) {
                    throw new RejectedRecordException(WorkerFailureReason.TARGETS, where + "class index " + classes[i] + " at " + i
                            + " is outside [0, " + out[0] + ") for the " + out[0] + " classes of model " + modelId);
                }
            }
            return t;
        }
        if (!t.dataType().isFPType()) {
            throw new RejectedRecordException(WorkerFailureReason.TARGETS, where + "dtype " + t.dataType()
                    + "; mse expects float32 or float64 targets of the output's shape");
        }
        long[] want = Shapes.concat(new long[] {samples}, out);
        if (!Arrays.equals(t.shape(), want)) {
            throw new RejectedRecordException(WorkerFailureReason.TARGETS, where + "shape " + Shapes.str(t.shape())
                    + "; mse expects the output's shape " + Shapes.str(want) + " ([B, *output_shape] of model " + modelId + ")");
        }
        return t.dataType() == dtype ? t : t.castTo(dtype);
    }

    private static RejectedRecordException missing(String batch, String header, String expected) {
        return new RejectedRecordException(WorkerFailureReason.MISSING_HEADER, batch + ": header " + header + " is missing; expected "
                + expected);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8).trim();
    }

    /** The first line of a message (failure headers hold one line). */
    static String oneLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).trim();
    }
}
