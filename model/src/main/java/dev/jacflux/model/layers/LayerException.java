package dev.jacflux.model.layers;

import dev.jacflux.model.ModelException;

/**
 * An invalid layer configuration, or an input shape a layer cannot take, with the layer type,
 * name and field concerned kept apart so that callers (a {@link dev.jacflux.model.Sequential}, a
 * model file loader) can say where the layer sits.
 *
 * <pre>{@code
 * try {
 *     Linear.of("fc", 64, 10).outputShape(new long[] {32});
 * } catch (LayerException e) {
 *     e.field();    // "in_features"
 *     e.detail();   // "expected input [*, 64] (in_features 64), got [32]"
 * }
 * }</pre>
 */
public class LayerException extends ModelException {
    private static final long serialVersionUID = 1L;
    private final String type;
    private final String layerName;
    private final String field;
    private final String detail;

    /**
     * @param type the layer type, e.g. {@code "linear"}
     * @param layerName the layer name, or {@code null}
     * @param field the configuration field concerned (model file spelling), or {@code null}
     * @param detail what is wrong and what was expected
     */
    public LayerException(String type, String layerName, String field, String detail) {
        super((layerName == null ? type : type + " '" + layerName + "'") + (field == null ? "" : ", field '" + field + "'")
                + ": " + detail);
        this.type = type;
        this.layerName = layerName;
        this.field = field;
        this.detail = detail;
    }

    /** The layer type. */
    public String type() {
        return type;
    }

    /** The layer name, or {@code null}. */
    public String layerName() {
        return layerName;
    }

    /** The field concerned, or {@code null}. */
    public String field() {
        return field;
    }

    /** What is wrong, without the layer prefix. */
    public String detail() {
        return detail;
    }
}
