package dev.jacflux.service.trainings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jacflux.training.checkpoint.AtomicFiles;
import dev.jacflux.training.checkpoint.CheckpointStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The files of one training of the service, {@code <data-dir>/trainings/<id>/}:
 * <pre>
 * training.json          what was asked: {"format": "jacflux-training/1", "id", "created", "request": {...}} (written once)
 * status.json            where it stands: state, stop reason, error, restarts, plan (rewritten atomically)
 * steps.ndjson           one StepResult line per released step ({@link StepLog})
 * initial/model.json     the model it started from (+ weights.npz), so it can restart even if the stored model is deleted
 * checkpoints/step-&lt;t&gt;/  the training module's checkpoints ({@link CheckpointStore})
 * model.json, weights.npz the final weights (PyTorch state_dict keys) once it has ended, as `jacflux train` writes them
 * </pre>
 *
 * <pre>{@code
 * TrainingDirectory d = new TrainingDirectory(dataDir.resolve("trainings").resolve(id));
 * d.writeStatus(status);
 * }</pre>
 *
 * @param root the training's directory
 */
public record TrainingDirectory(Path root) {
    /** The format string of {@code training.json}. */
    public static final String FORMAT = "jacflux-training/1";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** {@code training.json}. */
    public Path definition() {
        return root.resolve("training.json");
    }

    /** {@code status.json}. */
    public Path status() {
        return root.resolve("status.json");
    }

    /** {@code steps.ndjson}. */
    public Path steps() {
        return root.resolve("steps.ndjson");
    }

    /** {@code initial/}. */
    public Path initial() {
        return root.resolve("initial");
    }

    /** The checkpoints. */
    public CheckpointStore checkpoints() {
        return new CheckpointStore(root);
    }

    /** The weights of the checkpoint at {@code step} (0: the initial weights). */
    public Path weightsAt(long step) {
        return step == 0 ? initial().resolve("weights.npz") : checkpoints().root().resolve(String.format("step-%08d", step)).resolve("weights.npz");
    }

    /** The model file of the checkpoint at {@code step} (0: the initial model). */
    public Path modelAt(long step) {
        return step == 0 ? initial().resolve("model.json") : checkpoints().root().resolve(String.format("step-%08d", step)).resolve("model.json");
    }

    /** The final {@code weights.npz}. */
    public Path finalWeights() {
        return root.resolve("weights.npz");
    }

    /**
     * The contents of {@code training.json}.
     *
     * @param id      the training's id
     * @param created when it was asked for
     * @param request what was asked
     */
    public record Definition(String id, Instant created, TrainingRequest request) {
    }

    /** Writes {@code training.json} (atomically). */
    public void writeDefinition(Definition d) {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", FORMAT);
        o.put("id", d.id());
        o.put("created", d.created().toString());
        o.set("request", d.request().toJson());
        write(definition(), o);
    }

    /** Reads {@code training.json}. */
    public Definition readDefinition() {
        JsonNode n = read(definition());
        if (!FORMAT.equals(n.path("format").asText())) {
            throw new IllegalStateException(definition() + ": field 'format' is " + n.get("format") + "; expected \"" + FORMAT + "\"");
        }
        return new Definition(n.path("id").asText(), Instant.parse(n.path("created").asText()), TrainingRequest.fromJson(n.get("request")));
    }

    /**
     * The contents of {@code status.json}.
     *
     * @param state           the state
     * @param stopReason      why it ended ({@code steps}, {@code epochs}, {@code target_epsilon}, {@code cancelled}, {@code failed}), or null
     * @param error           the failure, one line, or null
     * @param restarts        how often a restarted service resumed it
     * @param plannedSteps    the step limit, or null (only a target epsilon)
     * @param noiseMultiplier the noise multiplier in effect (calibrated or given; 0 for plain SGD)
     * @param accounted       whether an epsilon is computed
     * @param privacy         the privacy phrase
     * @param updated         when this status was written
     */
    public record Status(TrainingState state, String stopReason, String error, int restarts, Long plannedSteps, double noiseMultiplier,
            boolean accounted, String privacy, Instant updated) {
    }

    /** Writes {@code status.json} (atomically). */
    public void writeStatus(Status s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("state", s.state().wire());
        o.put("stop_reason", s.stopReason());
        o.put("error", s.error());
        o.put("restarts", s.restarts());
        if (s.plannedSteps() == null) {
            o.putNull("planned_steps");
        } else {
            o.put("planned_steps", s.plannedSteps());
        }
        o.put("noise_multiplier", s.noiseMultiplier());
        o.put("accounted", s.accounted());
        o.put("privacy", s.privacy());
        o.put("updated", s.updated().toString());
        write(status(), o);
    }

    /** Reads {@code status.json}. */
    public Status readStatus() {
        JsonNode n = read(status());
        return new Status(TrainingState.of(n.path("state").asText()), textOrNull(n, "stop_reason"), textOrNull(n, "error"),
                n.path("restarts").asInt(), n.hasNonNull("planned_steps") ? n.get("planned_steps").asLong() : null,
                n.path("noise_multiplier").asDouble(), n.path("accounted").asBoolean(), n.path("privacy").asText(),
                Instant.parse(n.path("updated").asText()));
    }

    private static String textOrNull(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static void write(Path file, ObjectNode o) {
        try {
            AtomicFiles.write(file, (JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
