package dev.jacflux.kafka;

import dev.jacflux.model.io.Npz;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Builds input records in the worker's format. */
public final class Inputs {
    private Inputs() {
    }

    /** An input record: key = id, value = x as .npy, job and model headers, and loss and targets when given. */
    public static ProducerRecord<byte[], byte[]> record(String topic, String id, String job, String model, INDArray x, String loss,
            INDArray targets) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, id == null ? null : id.getBytes(StandardCharsets.UTF_8),
                x == null ? null : Npz.toNpy(x));
        if (job != null) {
            r.headers().add(JacFluxHeaders.JOB, job.getBytes(StandardCharsets.UTF_8));
        }
        if (model != null) {
            r.headers().add(JacFluxHeaders.MODEL, model.getBytes(StandardCharsets.UTF_8));
        }
        if (loss != null) {
            r.headers().add(JacFluxHeaders.LOSS, loss.getBytes(StandardCharsets.UTF_8));
        }
        if (targets != null) {
            r.headers().add(JacFluxHeaders.TARGETS, Npz.toNpy(targets));
        }
        return r;
    }
}
