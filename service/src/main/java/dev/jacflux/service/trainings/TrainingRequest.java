package dev.jacflux.service.trainings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jacflux.model.Loss;
import dev.jacflux.service.problems.ApiProblem;
import dev.jacflux.service.problems.ProblemType;
import dev.jacflux.training.TrainingOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The body of {@code POST /v1/trainings}: a stored model, a stored dataset, and the options of
 * {@code jacflux train} in snake case, with the command line's defaults and checks. Stored as the
 * {@code request} of the training's {@code training.json}, so that a restarted service rebuilds
 * exactly the same options.
 *
 * <pre>{@code
 * {"model": "3f9a0c1d2e4b5a67", "dataset": "9c41d07be2f05a13", "dp": true, "noise_multiplier": 1.1,
 *  "max_grad_norm": 1.0, "batch_size": 64, "epochs": 5, "lr": 0.5, "delta": 1e-5}
 * }</pre>
 *
 * @param model           id of the stored model to start from (required)
 * @param dataset         id of the stored dataset (required)
 * @param dp              DP-SGD (needs {@code noise_multiplier} or {@code target_epsilon}); default false: plain SGD
 * @param noiseMultiplier noise std over the clip norm (>= 0), or null
 * @param targetEpsilon   epsilon to calibrate the noise for and never exceed (> 0), or null
 * @param maxGradNorm     per-example clip norm C (default 1.0)
 * @param batchSize       batch size L; with dp the expected size of Poisson batches (default 64)
 * @param epochs          passes over the data (default 1 when {@code steps} is not given)
 * @param steps           steps in total, or null
 * @param lr              learning rate (default 0.1)
 * @param momentum        SGD momentum in [0, 1) (default 0)
 * @param delta           delta of the epsilon (default 1e-5)
 * @param seed            reproducible sampling and noise (then NOT private), or null for secure randomness
 * @param loss            {@code cross_entropy} or {@code mse}; null: by the dtype of the dataset's y
 * @param sampling        {@code poisson} or {@code shuffle}; null: poisson with dp, shuffle without
 * @param checkpointEvery checkpoint (and release) every this many steps
 */
public record TrainingRequest(String model, String dataset, boolean dp, Double noiseMultiplier, Double targetEpsilon, double maxGradNorm,
        long batchSize, Double epochs, Long steps, double lr, double momentum, double delta, Long seed, String loss, String sampling,
        long checkpointEvery) {

    /** The accepted fields. */
    public static final List<String> FIELDS = List.of("model", "dataset", "dp", "noise_multiplier", "target_epsilon", "max_grad_norm",
            "batch_size", "epochs", "steps", "lr", "momentum", "delta", "seed", "loss", "sampling", "checkpoint_every");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Parses and checks a request body.
     *
     * @param defaultCheckpointEvery the checkpoint interval when the body sets none
     * @throws ApiProblem 400 naming the field and the expected form
     */
    public static TrainingRequest parse(JsonNode body, long defaultCheckpointEvery) {
        if (body == null || !body.isObject()) {
            throw bad("the body must be a JSON object with at least 'model' and 'dataset', e.g. {\"model\": \"<id>\", \"dataset\": \"<id>\","
                    + " \"dp\": true, \"noise_multiplier\": 1.1, \"epochs\": 3}");
        }
        Set<String> known = Set.copyOf(FIELDS);
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw bad("unknown field '" + f + "'; the fields are " + String.join(", ", FIELDS));
            }
        }
        String model = text(body, "model", true);
        String dataset = text(body, "dataset", true);
        boolean dp = bool(body, "dp", false);
        Double sigma = real(body, "noise_multiplier");
        Double target = real(body, "target_epsilon");
        if (sigma != null && target != null) {
            throw bad("field 'noise_multiplier' and field 'target_epsilon' exclude each other; give one (with dp)");
        }
        if ((sigma != null || target != null) && !dp) {
            throw bad("field '" + (sigma != null ? "noise_multiplier" : "target_epsilon") + "' needs \"dp\": true (without it training is"
                    + " plain SGD)");
        }
        if (dp && sigma == null && target == null) {
            throw bad("field 'dp': DP-SGD needs field 'noise_multiplier' or field 'target_epsilon'");
        }
        if (sigma != null && !(sigma >= 0)) {
            throw bad("field 'noise_multiplier' must be a finite number >= 0, got " + sigma);
        }
        if (target != null && !(target > 0)) {
            throw bad("field 'target_epsilon' must be a finite number > 0, got " + target);
        }
        double clip = positive(body, "max_grad_norm", 1.0);
        long batch = integer(body, "batch_size", 64L, 1);
        Double epochs = real(body, "epochs");
        Long steps = body.hasNonNull("steps") ? integer(body, "steps", null, 1) : null;
        if (epochs != null && steps != null) {
            throw bad("field 'epochs' and field 'steps' exclude each other; give one (default: 1 epoch)");
        }
        if (epochs != null && !(epochs > 0)) {
            throw bad("field 'epochs' must be a finite number > 0, got " + epochs);
        }
        double lr = positive(body, "lr", 0.1);
        Double m = real(body, "momentum");
        double momentum = m == null ? 0 : m;
        if (!(momentum >= 0 && momentum < 1)) {
            throw bad("field 'momentum' must lie in [0, 1), got " + momentum);
        }
        Double d = real(body, "delta");
        double delta = d == null ? 1e-5 : d;
        if (!(delta > 0 && delta < 1)) {
            throw bad("field 'delta' must lie in (0, 1), got " + delta);
        }
        Long seed = body.hasNonNull("seed") ? integer(body, "seed", null, Long.MIN_VALUE) : null;
        String loss = choice(body, "loss", List.of("cross_entropy", "mse"));
        String sampling = choice(body, "sampling", List.of("poisson", "shuffle"));
        long every = integer(body, "checkpoint_every", defaultCheckpointEvery, 1);
        return new TrainingRequest(model, dataset, dp, sigma, target, clip, batch, epochs, steps, lr, momentum, delta, seed, loss, sampling,
                every);
    }

    /** Parses the stored form ({@link #toJson()}); its checkpoint interval is always set. */
    public static TrainingRequest fromJson(JsonNode stored) {
        return parse(stored, 1);
    }

    /** The request as stored in {@code training.json} and answered by {@code GET /v1/trainings/{id}} (every field set, nulls included). */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("model", model);
        o.put("dataset", dataset);
        o.put("dp", dp);
        putOrNull(o, "noise_multiplier", noiseMultiplier);
        putOrNull(o, "target_epsilon", targetEpsilon);
        o.put("max_grad_norm", maxGradNorm);
        o.put("batch_size", batchSize);
        putOrNull(o, "epochs", epochs);
        if (steps == null) {
            o.putNull("steps");
        } else {
            o.put("steps", steps);
        }
        o.put("lr", lr);
        o.put("momentum", momentum);
        o.put("delta", delta);
        if (seed == null) {
            o.putNull("seed");
        } else {
            o.put("seed", seed);
        }
        o.put("loss", loss);
        o.put("sampling", sampling);
        o.put("checkpoint_every", checkpointEvery);
        return o;
    }

    private static void putOrNull(ObjectNode o, String field, Double v) {
        if (v == null) {
            o.putNull(field);
        } else {
            o.put(field, v);
        }
    }

    /** The loss of a dataset whose {@code y} is integer ({@code intTargets}) or float, unless the request names one. */
    public String lossFor(boolean intTargets) {
        return loss != null ? loss : intTargets ? "cross_entropy" : "mse";
    }

    /** The library options of this request, checkpointing into {@code dir}, with meters named {@code name}. */
    public TrainingOptions options(String lossName, Path dir, String name) {
        Loss l = "mse".equals(lossName) ? Loss.mse() : Loss.crossEntropy();
        TrainingOptions o = (dp ? TrainingOptions.privateTraining(l) : TrainingOptions.plain(l))
                .withClipNorm(maxGradNorm).withBatchSize(batchSize).withLearningRate(lr).withMomentum(momentum).withDelta(delta)
                .withSeed(seed).withSampling(sampling == null ? null : TrainingOptions.Sampling.valueOf(sampling.toUpperCase(Locale.ROOT)))
                .withCheckpoints(dir, checkpointEvery).withName(name);
        o = steps != null ? o.withSteps(steps) : o.withEpochs(epochs != null ? epochs : 1.0);
        if (dp && targetEpsilon != null) {
            o = o.withTargetEpsilon(targetEpsilon);
        } else if (dp) {
            o = o.withNoiseMultiplier(noiseMultiplier);
        }
        return o;
    }

    private static ApiProblem bad(String detail) {
        return ApiProblem.of(ProblemType.BAD_INPUT, "training request: " + detail);
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw bad("missing field '" + field + "'" + ("model".equals(field) ? " (the id of a stored model, see GET /v1/models)"
                        : " (the id of a stored dataset, see POST /v1/datasets)"));
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw bad("field '" + field + "' must be a non-empty string, got " + v);
        }
        return v.asText();
    }

    private static boolean bool(JsonNode body, String field, boolean dflt) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw bad("field '" + field + "' must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    private static Double real(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw bad("field '" + field + "' must be a finite number, got " + v);
        }
        return v.asDouble();
    }

    private static double positive(JsonNode body, String field, double dflt) {
        Double v = real(body, field);
        if (v == null) {
            return dflt;
        }
        if (!(v > 0)) {
            throw bad("field '" + field + "' must be a finite number > 0, got " + v);
        }
        return v;
    }

    private static long integer(JsonNode body, String field, Long dflt, long min) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw bad("field '" + field + "' must be an integer, got " + v);
        }
        long n = v.asLong();
        if (n < min) {
            throw bad("field '" + field + "' must be >= " + min + ", got " + n);
        }
        return n;
    }

    private static String choice(JsonNode body, String field, List<String> allowed) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        String s = v.isTextual() ? v.asText().trim().toLowerCase(Locale.ROOT) : null;
        if (s == null || !allowed.contains(s)) {
            throw bad("field '" + field + "' must be one of " + String.join(", ", new ArrayList<>(allowed)) + ", got " + v);
        }
        return s;
    }
}
