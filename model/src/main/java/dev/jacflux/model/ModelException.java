package dev.jacflux.model;

/**
 * A model that cannot be built, loaded, saved or used as asked: a layer configuration that is
 * invalid or does not chain, a missing or misshapen weight, a malformed model file, or a
 * per-sample computation on a model that couples samples. Messages name the file (when there is
 * one), the layer (index, name and type) and the field concerned.
 *
 * <pre>{@code
 * try {
 *     Model m = ModelFile.load(Path.of("model.json"), DataType.FLOAT);
 * } catch (ModelException e) {
 *     System.err.println(e.getMessage());   // e.g. "model.json: layer 4 'fc' (linear): weight 'fc.weight' ..."
 * }
 * }</pre>
 */
public class ModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error with a complete message. */
    public ModelException(String message) {
        super(message);
    }

    /** An error with a complete message and its cause. */
    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
