package dev.jacflux.cli;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.model.Model;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.io.Npz;
import dev.jacflux.training.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The {@code --data D.npz} of {@code jacflux train}: arrays {@code x} (float32/float64,
 * {@code [N, *input_shape]}) and {@code y} (int32/int64 class indices {@code [N]} for
 * {@code cross_entropy}, or float targets {@code [N, *output_shape]} for {@code mse}), checked against
 * the model, with one-line messages naming the file.
 *
 * <pre>{@code
 * Dataset d = TrainingData.load(Path.of("data.npz"), model, Path.of("model.json"), null, DataType.FLOAT);
 * LossName loss = TrainingData.defaultLoss(d);   // cross_entropy for integer y, mse for float y
 * }</pre>
 */
public final class TrainingData {
    private TrainingData() {
    }

    /**
     * Loads and checks the dataset.
     *
     * @param loss the loss asked for, or null to choose by the dtype of {@code y}
     * @throws BadInputException naming the file and the problem
     */
    public static Dataset load(Path file, Model model, Path modelFile, LossName loss, DataType dtype) {
        String where = file + " (--data): ";
        if (!Files.exists(file)) {
            throw new BadInputException(where + "file not found");
        }
        Map<String, INDArray> arrays;
        try {
            arrays = Npz.read(file);
        } catch (ModelException e) {
            throw new BadInputException(where + e.getMessage().replace(file + ": ", ""), e);
        }
        INDArray x = arrays.get("x");
        INDArray y = arrays.get("y");
        if (x == null || y == null) {
            throw new BadInputException(where + "expected arrays 'x' and 'y' (np.savez(\"" + file.getFileName() + "\", x=x, y=y)), found "
                    + arrays.keySet());
        }
        if (x.dataType() != DataType.FLOAT && x.dataType() != DataType.DOUBLE) {
            throw new BadInputException(where + "x has dtype " + NpyFiles.numpyName(x.dataType()) + "; expected float32 or float64");
        }
        long[] in = model.architecture().inputShape();
        if (x.rank() != in.length + 1 || !Arrays.equals(Shapes.range(x.shape(), 1, x.rank()), in)) {
            throw new BadInputException(where + "x of shape " + Shapes.str(x.shape()) + " does not match the model's input_shape "
                    + Shapes.str(in) + " (" + modelFile + "); expected [N, " + Shapes.str(in).substring(1));
        }
        if (x.size(0) < 1) {
            throw new BadInputException(where + "x holds no examples (shape " + Shapes.str(x.shape()) + ")");
        }
        if (y.rank() < 1 || y.size(0) != x.size(0)) {
            throw new BadInputException(where + "y of shape " + Shapes.str(y.shape()) + " does not have one row per example of x ("
                    + x.size(0) + ")");
        }
        LossName l = loss != null ? loss : y.dataType().isIntType() ? LossName.CROSS_ENTROPY : LossName.MSE;
        long[] out = model.architecture().outputShape();
        if (l == LossName.CROSS_ENTROPY) {
            if (!y.dataType().isIntType() || y.rank() != 1) {
                throw new BadInputException(where + "y of dtype " + NpyFiles.numpyName(y.dataType()) + " and shape " + Shapes.str(y.shape())
                        + "; cross_entropy expects integer class indices [N]");
            }
            if (out.length != 1) {
                throw new BadInputException(modelFile + " (--model): cross_entropy needs a model whose per-sample output is a vector of"
                        + " class scores [C], but its output shape is " + Shapes.str(out));
            }
            long[] c = y.toLongVector();
            for (int i = 0; i < c.length; i++) {
                if (c[i] < 0 || c[i] >= out[0]) {
                    throw new BadInputException(where + "y[" + i + "] = " + c[i] + " is out of range: the model has " + out[0]
                            + " classes, so class indices must lie in [0, " + out[0] + ")");
                }
            }
            return Dataset.of(x.castTo(dtype), y.castTo(DataType.LONG));
        }
        if (y.dataType() != DataType.FLOAT && y.dataType() != DataType.DOUBLE) {
            throw new BadInputException(where + "y has dtype " + NpyFiles.numpyName(y.dataType()) + "; mse expects float32 or float64 targets");
        }
        long[] want = dev.jacflux.autodiff.Shapes.concat(new long[] {x.size(0)}, out);
        if (!Arrays.equals(y.shape(), want)) {
            throw new BadInputException(where + "y of shape " + Shapes.str(y.shape()) + " does not match the model's outputs " + Shapes.str(want)
                    + " ([N, *output_shape]); mse expects targets of the output's shape");
        }
        return Dataset.of(x.castTo(dtype), y.castTo(dtype));
    }

    /** The loss a dataset implies: cross-entropy for integer targets, mean squared error otherwise. */
    public static LossName defaultLoss(INDArray y) {
        return y.dataType().isIntType() ? LossName.CROSS_ENTROPY : LossName.MSE;
    }
}
