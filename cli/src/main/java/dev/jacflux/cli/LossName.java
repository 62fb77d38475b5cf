package dev.jacflux.cli;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The losses of {@code --loss}: {@code cross_entropy} (outputs are logits, as PyTorch's
 * {@code F.cross_entropy}; targets are integer class indices {@code [B]}) and {@code mse} (averaged
 * over each sample's output elements; targets of the output's shape), with the checks of the
 * targets file against the input and the model.
 *
 * <pre>{@code
 * LossName l = new LossName.Converter().convert("cross_entropy");
 * INDArray t = l.targets(model, Path.of("t.npy"), 64, DataType.FLOAT);   // checked
 * Loss loss = l.loss();
 * }</pre>
 */
public enum LossName {
    /** Cross-entropy on logits and class indices. */
    CROSS_ENTROPY("cross_entropy"),
    /** Mean squared error per sample. */
    MSE("mse");

    private final String cliName;

    LossName(String cliName) {
        this.cliName = cliName;
    }

    /** The name on the command line. */
    public String cliName() {
        return cliName;
    }

    /** The loss. */
    public Loss loss() {
        return this == CROSS_ENTROPY ? Loss.crossEntropy() : Loss.mse();
    }

    /**
     * Reads and checks the targets for {@code samples} samples of {@code model}'s input.
     * cross_entropy: integer (int32/int64) class indices of shape {@code [B]} inside
     * {@code [0, C)} for a model with outputs {@code [C]}; mse: float32/float64 of shape
     * {@code [B, *output_shape]}, converted to {@code dtype}.
     *
     * @throws BadInputException naming the targets file and what is wrong
     */
    public INDArray targets(Model model, Path modelFile, Path file, Path inputFile, long samples, DataType dtype) {
        INDArray t = NpyFiles.read(file, "--targets");
        long[] out = model.architecture().outputShape();
        String where = file + " (--targets): ";
        if (this == CROSS_ENTROPY) {
            if (out.length != 1) {
                throw new BadInputException(modelFile + " (--model): cross_entropy needs a model whose per-sample output is a vector of"
                        + " class scores [C], but its output shape is " + Shapes.str(out));
            }
            if (!t.dataType().isIntType()) {
                throw new BadInputException(where + "wrong dtype " + NpyFiles.numpyName(t.dataType())
                        + "; cross_entropy expects integer class indices (int32 or int64)");
            }
            if (t.rank() != 1) {
                throw new BadInputException(where + "targets of shape " + Shapes.str(t.shape()) + "; cross_entropy expects class indices of"
                        + " shape [" + samples + "] (one per sample of " + inputFile + ")");
            }
            checkLength(where, t, samples, inputFile);
            long[] classes = t.toLongVector();
            for (int i = 0; i < classes.length; i++) {
                if (classes[i] < 0 || classes[i] >= out[0]) {
                    throw new BadInputException(where + "target " + classes[i] + " at index " + i + " is out of range: the model has "
                            + out[0] + " classes, so class indices must lie in [0, " + out[0] + ")");
                }
            }
            return t;
        }
        if (t.dataType() != DataType.FLOAT && t.dataType() != DataType.DOUBLE) {
            throw new BadInputException(where + "wrong dtype " + NpyFiles.numpyName(t.dataType()) + "; mse expects float32 or float64"
                    + " targets of the output's shape");
        }
        if (t.rank() >= 1) {
            checkLength(where, t, samples, inputFile);
        }
        long[] want = Shapes.concat(new long[] {samples}, out);
        if (!Arrays.equals(t.shape(), want)) {
            throw new BadInputException(where + "targets of shape " + Shapes.str(t.shape()) + " do not match the model's outputs "
                    + Shapes.str(want) + " ([B, *output_shape]); mse expects targets of the output's shape");
        }
        return t.dataType() == dtype ? t : t.castTo(dtype);
    }

    private static void checkLength(String where, INDArray t, long samples, Path inputFile) {
        if (t.size(0) != samples) {
            throw new BadInputException(where + "wrong length: " + t.size(0) + " targets for the " + samples + " samples of " + inputFile);
        }
    }

    /** Parses {@code cross_entropy} (or {@code cross-entropy}) and {@code mse}. */
    public static final class Converter implements ITypeConverter<LossName> {
        @Override
        public LossName convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT).replace('-', '_');
            for (LossName l : values()) {
                if (l.cliName.equals(v)) {
                    return l;
                }
            }
            throw new TypeConversionException("unknown loss '" + value + "'; expected cross_entropy or mse");
        }
    }
}
