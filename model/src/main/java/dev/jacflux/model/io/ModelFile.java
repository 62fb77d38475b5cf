package dev.jacflux.model.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jacflux.model.Model;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.Layer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Model files in the {@code jacflux-model/1} format: a JSON file describing the architecture and a
 * NumPy {@code .npz} archive of the weights, keyed exactly as PyTorch's {@code state_dict}.
 *
 * <pre>{@code
 * {
 *   "format": "jacflux-model/1",
 *   "input_shape": [3, 8, 8],
 *   "weights": "weights.npz",
 *   "layers": [
 *     {"type": "conv2d", "name": "conv1", "in_channels": 3, "out_channels": 4, "kernel_size": [3, 3],
 *      "stride": [1, 1], "padding": [1, 1], "dilation": [1, 1], "bias": true},
 *     {"type": "relu"},
 *     {"type": "maxpool2d", "kernel_size": [2, 2], "stride": [2, 2]},
 *     {"type": "flatten"},
 *     {"type": "linear", "name": "fc", "in_features": 64, "out_features": 6, "bias": true},
 *     {"type": "log_softmax"}
 *   ]
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@code input_shape} excludes the batch axis; {@code weights} is resolved against the JSON
 *       file's directory.</li>
 *   <li>Optional fields and defaults follow PyTorch ({@code stride} 1, or the kernel size for
 *       pools; {@code padding} 0; {@code dilation} 1; {@code bias} true; {@code negative_slope}
 *       0.01; {@code alpha} 1.0; {@code eps} 1e-5; {@code p} 0.5). Integers may stand for
 *       {@code [h, w]} pairs.</li>
 *   <li>JacFlux extensions: {@code "training": true} on {@code batch_norm2d} (batch statistics)
 *       and {@code dropout} (with {@code "seed"}); both default to the inference form.</li>
 *   <li>Arrays may be float32 or float64 (C or Fortran order, either byte order); the model runs
 *       in the dtype the caller asks for. {@code *.num_batches_tracked} entries are ignored;
 *       other entries that no layer uses are errors.</li>
 * </ul>
 * Every error names the file, the layer ({@code layers[i] 'name' (type)}) and the field.
 *
 * <p>PyTorch export:
 * <pre>{@code
 * np.savez("weights.npz", **{k: v.detach().numpy() for k, v in model.state_dict().items()
 *                            if not k.endswith("num_batches_tracked")})
 * }</pre>
 *
 * <p>Java:
 * <pre>{@code
 * Model m = ModelFile.load(Path.of("models/cnn.json"), DataType.FLOAT);
 * ModelFile.save(m, Path.of("out/cnn.json"));      // writes out/cnn.json and out/cnn.npz
 * }</pre>
 */
public final class ModelFile {
    /** The format string of this version. */
    public static final String FORMAT = "jacflux-model/1";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Set<String> TOP_FIELDS = Set.of("format", "input_shape", "weights", "layers");

    private ModelFile() {
    }

    /**
     * An architecture and where its weights are, as read from a model file.
     *
     * <pre>{@code
     * ModelFile.Description d = ModelFile.describe(Path.of("model.json"));
     * d.architecture().parameterLayout().size();   // M, without reading the weights
     * }</pre>
     *
     * @param architecture the validated architecture
     * @param weights the resolved path of the weights archive, or {@code null} if the file names none
     */
    public record Description(Sequential architecture, Path weights) {
    }

    /**
     * Loads a model: the JSON architecture and its {@code .npz} weights, converted to {@code dtype}.
     *
     * @throws ModelException naming the file, layer and field of the first problem found
     */
    public static Model load(Path json, DataType dtype) {
        Description d = describe(json);
        Sequential arch = d.architecture();
        if (d.weights() == null) {
            try {
                return Model.fromStateDict(arch, Map.of(), dtype);
            } catch (ModelException e) {
                throw new ModelException(json + ": " + e.getMessage(), e);
            }
        }
        String source = d.weights().getFileName().toString();
        WeightsCheck check = new WeightsCheck(arch, source);
        Map<String, INDArray> sd;
        try {
            sd = Npz.read(d.weights(), check);
        } catch (WeightsCheck.Refused e) {
            throw new ModelException(json + ": " + e.getMessage(), e);
        } catch (ModelException e) {
            throw new ModelException(json + ", field 'weights': " + e.getMessage(), e);
        }
        Model model;
        try {
            model = Model.fromStateDict(arch, sd, dtype, source);
        } catch (ModelException e) {
            throw new ModelException(json + ": " + e.getMessage(), e);
        }
        check.requireNoneSkipped(json);
        return model;
    }

    /**
     * Reads only the JSON: the architecture (validated, shapes chained) and the resolved weights
     * path ({@code null} if the file names none).
     */
    public static Description describe(Path json) {
        String file = json.toString();
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(json));
        } catch (JsonProcessingException e) {
            throw new ModelException(file + ": not valid JSON: " + e.getOriginalMessage() + " (line " + e.getLocation().getLineNr() + ")", e);
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read the model file: " + e, e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelException(file + ": expected a JSON object with \"format\", \"input_shape\", \"weights\" and \"layers\"");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String k = it.next();
            if (!TOP_FIELDS.contains(k)) {
                throw new ModelException(file + ", field '" + k + "': unknown top-level field; expected " + TOP_FIELDS);
            }
        }
        JsonNode format = root.get("format");
        if (format == null || !format.isTextual() || !format.asText().equals(FORMAT)) {
            throw new ModelException(file + ", field 'format': expected \"" + FORMAT + "\", got " + (format == null ? "nothing" : format));
        }
        long[] inputShape = inputShape(file, root.get("input_shape"));
        JsonNode layersNode = root.get("layers");
        if (layersNode == null || !layersNode.isArray() || layersNode.isEmpty()) {
            throw new ModelException(file + ", field 'layers': expected a non-empty array of layer objects, got "
                    + (layersNode == null ? "nothing" : layersNode));
        }
        List<LayerCodec.Parsed> parsed = new ArrayList<>();
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < layersNode.size(); i++) {
            LayerCodec.Parsed p = LayerCodec.fromJson(file, i, layersNode.get(i));
            parsed.add(p);
            layers.add(p.layer());
        }
        Sequential arch;
        try {
            arch = new Sequential(inputShape, layers);
        } catch (ModelException e) {
            throw new ModelException(file + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < parsed.size(); i++) {
            Integer dim = parsed.get(i).dim();
            if (dim != null) {
                LayerCodec.checkDim(file, arch.describe(i), arch.layer(i).type(), dim, arch.shapeBefore(i));
            }
        }
        JsonNode w = root.get("weights");
        Path weights = null;
        if (w == null || w.isNull()) {
            if (arch.parameterLayout().count() > 0 || !arch.bufferNames().isEmpty()) {
                throw new ModelException(file + ", field 'weights': missing; the model has tensors " + arch.parameterLayout().names()
                        + (arch.bufferNames().isEmpty() ? "" : " and buffers " + arch.bufferNames()) + " to load from an .npz archive");
            }
        } else if (!w.isTextual() || w.asText().isBlank()) {
            throw new ModelException(file + ", field 'weights': expected the path of an .npz archive (relative to the JSON file), got " + w);
        } else {
            Path dir = json.toAbsolutePath().getParent();
            weights = dir == null ? Path.of(w.asText()) : dir.resolve(w.asText());
        }
        return new Description(arch, weights);
    }

    private static long[] inputShape(String file, JsonNode v) {
        if (v == null || !v.isArray()) {
            throw new ModelException(file + ", field 'input_shape': expected an array of positive integers (without the batch axis), got "
                    + (v == null ? "nothing" : v));
        }
        long[] s = new long[v.size()];
        for (int i = 0; i < s.length; i++) {
            JsonNode d = v.get(i);
            if (!d.isIntegralNumber() || d.asLong() <= 0) {
                throw new ModelException(file + ", field 'input_shape': expected positive integers (without the batch axis), got " + v);
            }
            s[i] = d.asLong();
        }
        return s;
    }

    /**
     * Saves a model as {@code json} plus an {@code .npz} of its state dict next to it, named after
     * the JSON file ({@code model.json} -> {@code model.npz}).
     */
    public static void save(Model model, Path json) {
        String name = json.getFileName().toString();
        String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        save(model, json, base + ".npz");
    }

    /** Saves a model as {@code json} plus the {@code .npz} {@code weightsName} in the same directory. */
    public static void save(Model model, Path json, String weightsName) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        ArrayNode in = root.putArray("input_shape");
        for (long d : model.architecture().inputShape()) {
            in.add(d);
        }
        root.put("weights", weightsName);
        ArrayNode layers = root.putArray("layers");
        for (Layer l : model.architecture().layers()) {
            layers.add(LayerCodec.toJson(l));
        }
        Path dir = json.toAbsolutePath().getParent();
        try {
            if (dir != null) {
                Files.createDirectories(dir);
            }
            Files.writeString(json, JSON.writeValueAsString(root) + "\n");
        } catch (IOException e) {
            throw new ModelException(json + ": cannot write the model file: " + e.getMessage(), e);
        }
        Npz.write(dir == null ? Path.of(weightsName) : dir.resolve(weightsName), model.stateDict());
    }
}
