package dev.jacflux.service.jobs;

import dev.jacflux.config.JobKind;
import dev.jacflux.config.Precision;
import dev.jacflux.service.problems.ApiProblem;
import dev.jacflux.service.problems.ProblemType;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The query of a job request, parsed and checked: what to compute ({@link JobKind}), in which
 * precision, and with which loss. Unknown, repeated or malformed parameters are a 400 naming the
 * parameter and the allowed values.
 *
 * <pre>{@code
 * JobQuery q = JobQuery.jacobian(Map.of("wrt", List.of("params"), "dtype", List.of("float64")));
 * q.kind();        // PER_SAMPLE_PARAM_JACOBIAN
 * JobQuery g = JobQuery.grads(Map.of("loss", List.of("mse"), "norms", List.of("true")));
 * g.kind();        // PER_SAMPLE_GRADIENT_NORMS
 * }</pre>
 *
 * @param kind      the job
 * @param precision float32 or float64 (computation and answer)
 * @param loss      the loss of a gradients job, null for Jacobians
 */
public record JobQuery(JobKind kind, Precision precision, LossChoice loss) {
    private static final Set<String> JACOBIAN = Set.of("wrt", "full", "dtype");
    private static final Set<String> GRADS = Set.of("loss", "norms", "dtype");

    /** {@code wrt=input|params&full=true|false&dtype=float32|float64}. */
    public static JobQuery jacobian(Map<String, List<String>> query) {
        Params p = new Params(query, JACOBIAN);
        String wrt = p.get("wrt", "input");
        boolean full = p.bool("full");
        Precision precision = p.dtype();
        return switch (wrt.toLowerCase(Locale.ROOT)) {
            case "input" -> new JobQuery(full ? JobKind.FULL_JACOBIAN : JobKind.BATCH_JACOBIAN, precision, null);
            case "params" -> {
                if (full) {
                    throw bad("full=true cannot be combined with wrt=params (the per-sample parameter Jacobian is always [B, D_y, M])");
                }
                yield new JobQuery(JobKind.PER_SAMPLE_PARAM_JACOBIAN, precision, null);
            }
            default -> throw bad("wrt='" + wrt + "' is not known; expected input or params");
        };
    }

    /** {@code loss=cross_entropy|mse&norms=true|false&dtype=float32|float64}. */
    public static JobQuery grads(Map<String, List<String>> query) {
        Params p = new Params(query, GRADS);
        String name = p.get("loss", null);
        if (name == null) {
            throw bad("loss is missing; expected loss=cross_entropy or loss=mse");
        }
        LossChoice loss = LossChoice.parse(name);
        if (loss == null) {
            throw bad("loss='" + name + "' is not known; expected cross_entropy or mse");
        }
        boolean norms = p.bool("norms");
        return new JobQuery(norms ? JobKind.PER_SAMPLE_GRADIENT_NORMS : JobKind.PER_SAMPLE_GRADIENTS, p.dtype(), loss);
    }

    /** {@code float32} or {@code float64}. */
    public String dtypeName() {
        return precision.configName();
    }

    private static ApiProblem bad(String detail) {
        return ApiProblem.of(ProblemType.BAD_PARAMETER, "query: " + detail);
    }

    /** Checked access to the query parameters. */
    private static final class Params {
        private final Map<String, List<String>> query;

        Params(Map<String, List<String>> query, Set<String> allowed) {
            this.query = query;
            for (Map.Entry<String, List<String>> e : query.entrySet()) {
                if (!allowed.contains(e.getKey())) {
                    throw bad("unknown parameter '" + e.getKey() + "'; expected " + String.join(", ", new TreeSet<>(allowed)));
                }
                if (e.getValue().size() > 1) {
                    throw bad("parameter '" + e.getKey() + "' is given " + e.getValue().size() + " times; expected it once");
                }
            }
        }

        String get(String name, String fallback) {
            List<String> v = query.get(name);
            return v == null || v.isEmpty() || v.get(0) == null ? fallback : v.get(0).trim();
        }

        boolean bool(String name) {
            String v = get(name, "false");
            return switch (v.toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw bad(name + "='" + v + "' is not a boolean; expected true or false");
            };
        }

        Precision dtype() {
            String v = get("dtype", "float32");
            return switch (v.toLowerCase(Locale.ROOT)) {
                case "float32" -> Precision.FLOAT32;
                case "float64" -> Precision.FLOAT64;
                default -> throw bad("dtype='" + v + "' is not known; expected float32 or float64");
            };
        }
    }
}
