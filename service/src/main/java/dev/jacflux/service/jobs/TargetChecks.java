package dev.jacflux.service.jobs;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.model.Sequential;
import dev.jacflux.service.problems.ApiProblem;
import dev.jacflux.service.problems.ProblemType;
import dev.jacflux.model.io.NpyHeader;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Checks of the {@code targets} part of a gradients request against the loss, the model and the
 * input, as the command line checks {@code --targets}: {@code cross_entropy} takes integer class
 * indices {@code [B]} in {@code [0, C)} for a model with outputs {@code [C]}; {@code mse} takes
 * float targets of the output's shape {@code [B, *out]}, converted to the job's precision.
 *
 * <pre>{@code
 * TargetChecks.header(LossChoice.MSE, architecture, targetsHeader);          // as soon as its header is read
 * INDArray t = TargetChecks.values(LossChoice.MSE, architecture, targets, 64, DataType.FLOAT);
 * }</pre>
 */
public final class TargetChecks {
    static final String PART = "part 'targets'";

    private TargetChecks() {
    }

    /** What the header alone tells: dtype and rank. */
    public static void header(LossChoice loss, Sequential model, NpyHeader h) {
        long[] out = model.outputShape();
        if (loss == LossChoice.CROSS_ENTROPY) {
            if (out.length != 1) {
                throw bad("the model: cross_entropy needs a model whose per-sample output is a vector of class scores [C], but its"
                        + " output shape is " + Shapes.str(out) + "; use loss=mse");
            }
            if (h.isFloat()) {
                throw bad(PART + ": wrong dtype " + h.numpyDtype() + "; cross_entropy expects integer class indices (int32 or int64)");
            }
            if (h.shape().length != 1) {
                throw bad(PART + ": targets of shape " + Shapes.str(h.shape()) + "; cross_entropy expects class indices of shape [B]"
                        + " (one per sample of part 'input')");
            }
        } else {
            if (!h.isFloat()) {
                throw bad(PART + ": wrong dtype " + h.numpyDtype() + "; mse expects float32 or float64 targets of the output's shape");
            }
            if (h.shape().length != out.length + 1
                    || !Arrays.equals(Arrays.copyOfRange(h.shape(), 1, h.shape().length), out)) {
                throw bad(PART + ": targets of shape " + Shapes.str(h.shape()) + " do not match the model's outputs "
                        + Shapes.str(Shapes.concat(new long[] {h.rows()}, out)) + " ([B, *output_shape]); mse expects targets of"
                        + " the output's shape");
            }
        }
    }

    /** Checks the values against {@code samples} and the model; returns them ready for the job. */
    public static INDArray values(LossChoice loss, Sequential model, INDArray t, long samples, DataType dtype) {
        if (t.size(0) != samples) {
            throw bad(PART + ": wrong length: " + t.size(0) + " targets for the " + samples + " samples of part 'input'");
        }
        if (loss == LossChoice.CROSS_ENTROPY) {
            long classes = model.outputShape()[0];
            long[] v = t.toLongVector();
            for (int i = 0; i < v.length; i++) {
                if (v[i] < 0 || v[i] >= classes) {
                    throw bad(PART + ": target " + v[i] + " at index " + i + " is out of range: the model has " + classes
                            + " classes, so class indices must lie in [0, " + classes + ")");
                }
            }
            return t;
        }
        return t.dataType() == dtype ? t : t.castTo(dtype);
    }

    private static ApiProblem bad(String detail) {
        return ApiProblem.of(ProblemType.BAD_INPUT, detail);
    }
}
