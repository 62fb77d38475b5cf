package dev.jacflux.service.models;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.jacflux.autodiff.transforms.ParameterLayout;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.Layer;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code POST /v1/models} and {@code GET /v1/models[/{id}]} answer for a model.
 *
 * <pre>{@code
 * {"id": "3f9a0c1d2e4b5a67", "input_shape": [784], "output_shape": [10], "parameters": 235146,
 *  "layers": [{"index": 0, "type": "linear", "name": "fc1", "output_shape": [256], "parameters": 200960}, ...]}
 * }</pre>
 *
 * @param id          the model's content hash
 * @param inputShape  per-sample input shape (without the batch axis)
 * @param outputShape per-sample output shape
 * @param parameters  number of parameters M (columns of the per-sample gradients)
 * @param layers      the layers in order
 */
public record ModelSummary(String id, @JsonProperty("input_shape") long[] inputShape, @JsonProperty("output_shape") long[] outputShape,
        long parameters, List<LayerSummary> layers) {

    /**
     * One layer.
     *
     * @param index       position in the model
     * @param type        layer type as in the model file ({@code linear}, {@code conv2d}, ...)
     * @param name        the layer's name, for layers with parameters
     * @param outputShape per-sample output shape of the layer
     * @param parameters  parameters of the layer
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LayerSummary(int index, String type, String name, @JsonProperty("output_shape") long[] outputShape,
            long parameters) {
    }

    /** The summary of {@code architecture} stored as {@code id}. */
    public static ModelSummary of(String id, Sequential architecture) {
        ParameterLayout layout = architecture.parameterLayout();
        List<LayerSummary> layers = new ArrayList<>();
        for (int i = 0; i < architecture.size(); i++) {
            Layer l = architecture.layer(i);
            long params = 0;
            for (int p = architecture.firstParameter(i); p < architecture.firstParameter(i) + architecture.parameterCount(i); p++) {
                params += layout.numel(p);
            }
            long[] out = i + 1 < architecture.size() ? architecture.shapeBefore(i + 1) : architecture.outputShape();
            layers.add(new LayerSummary(i, l.type(), l.name(), out, params));
        }
        return new ModelSummary(id, architecture.inputShape(), architecture.outputShape(), layout.size(), List.copyOf(layers));
    }
}
