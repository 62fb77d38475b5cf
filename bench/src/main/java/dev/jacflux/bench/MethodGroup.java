package dev.jacflux.bench;

import java.util.List;

/**
 * Methods that compute the same result and are compared with each other: a whole case, or one
 * setting of a case with several (e.g. {@code D_y=8} of {@code scaling}). Ratios to {@code floor}
 * and {@code loop}, and the agreement check, are taken within a group.
 *
 * <pre>{@code
 * MethodGroup g = new MethodGroup("D_y=8", "(64, 8, 512)", List.of(jacflux, pipeline, loop, floor));
 * }</pre>
 *
 * @param label the group's label, empty for a case with a single group; shown as a method suffix
 *     {@code jacflux[D_y=8]}
 * @param resultShape the result's shape as text, for the report
 * @param methods the methods, the reference ({@code jacflux}) first
 * @param compared whether the methods' results are checked against the reference's; false for
 *     methods that compute different things on purpose (a noisy DP step and a plain SGD step), whose
 *     results are then only checked to be finite
 */
public record MethodGroup(String label, String resultShape, List<BenchMethod> methods, boolean compared) {
    public MethodGroup {
        label = label == null ? "" : label;
        methods = List.copyOf(methods);
    }

    /** A group whose results are compared with the reference's. */
    public MethodGroup(String label, String resultShape, List<BenchMethod> methods) {
        this(label, resultShape, methods, true);
    }

    /** The display name of a method of this group: {@code jacflux} or {@code jacflux[D_y=8]}. */
    public String display(String method) {
        return label.isEmpty() ? method : method + "[" + label + "]";
    }
}
