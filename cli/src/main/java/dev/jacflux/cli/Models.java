package dev.jacflux.cli;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.model.Model;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.model.io.NpyHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Loading a {@code jacflux-model/1} file and checking an input batch against it, with the
 * command line's messages: every problem is a {@link BadInputException} naming the file.
 *
 * <pre>{@code
 * Model m = Models.load(Path.of("model.json"), DataType.FLOAT);
 * INDArray x = Models.input(m, Path.of("model.json"), Path.of("x.npy"), DataType.FLOAT);   // [B, *input_shape]
 * }</pre>
 */
public final class Models {
    private Models() {
    }

    /**
     * Loads a model file (JSON plus its {@code .npz} weights) in {@code dtype}.
     *
     * @throws BadInputException if the file is missing or malformed (the model format's message,
     *     which names the file, layer and field)
     */
    public static Model load(Path json, DataType dtype) {
        if (!Files.exists(json)) {
            throw new BadInputException(json + " (--model): model file not found");
        }
        if (!Files.isRegularFile(json)) {
            throw new BadInputException(json + " (--model): not a regular file; expected a jacflux-model/1 JSON file");
        }
        try {
            return ModelFile.load(json, dtype);
        } catch (ModelException e) {
            String m = e.getMessage();
            throw new BadInputException(m.startsWith(json.toString()) ? m : json + " (--model): " + m, e);
        } catch (RuntimeException e) {
            throw new BadInputException(json + " (--model): malformed model file: " + e, e);
        }
    }

    /**
     * Reads the input batch and checks it against the model: float32/float64, shape
     * {@code [B, *input_shape]} with {@code B >= 1}, checked from the file's header before its data
     * are read; converted to {@code dtype}.
     *
     * @throws BadInputException naming the input file, its shape and the model's input_shape
     */
    public static INDArray input(Model model, Path modelFile, Path input, DataType dtype) {
        NpyHeader h = NpyFiles.header(input, "--input");
        if (h.dtype() != DataType.FLOAT && h.dtype() != DataType.DOUBLE) {
            throw new BadInputException(input + " (--input): wrong dtype " + NpyFiles.numpyName(h.dtype()) + "; expected float32 or float64");
        }
        long[] want = model.architecture().inputShape();
        long[] got = h.shape();
        if (got.length != want.length + 1 || !Arrays.equals(Shapes.range(got, 1, got.length), want)) {
            throw new BadInputException(input + " (--input): input shape " + Shapes.str(got) + " does not match the model's input_shape "
                    + Shapes.str(want) + " (" + modelFile + "); expected [B, " + Shapes.str(want).substring(1));
        }
        if (got[0] < 1) {
            throw new BadInputException(input + " (--input): empty batch, shape " + Shapes.str(got) + "; expected at least one sample");
        }
        INDArray x = NpyFiles.readFloat(input, "--input");
        return x.dataType() == dtype ? x : x.castTo(dtype);
    }

    /**
     * Applies the non-finite policy to every tensor of a loaded model (in the dtype it runs in).
     *
     * @throws BadInputException naming the weights file, the tensor and its first non-finite element
     */
    public static void requireFiniteWeights(Model model, Path json, NonFiniteOption nonFinite) {
        Path weights = ModelFile.describe(json).weights();
        String file = weights == null ? json + " (--model)" : weights + " (weights of --model " + json.getFileName() + ")";
        for (Map.Entry<String, INDArray> e : model.stateDict().entrySet()) {
            nonFinite.check(e.getValue(), file + " tensor '" + e.getKey() + "'");
        }
    }

    /** {@code "[64] -> [10], 2410 parameters"}. */
    public static String summary(Model model) {
        return Shapes.str(model.architecture().inputShape()) + " -> " + Shapes.str(model.architecture().outputShape()) + ", "
                + model.parameterCount() + " parameters";
    }
}
