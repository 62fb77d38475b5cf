package dev.jacflux.service.trainings;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.model.Model;
import dev.jacflux.service.datasets.DatasetStore;
import dev.jacflux.service.problems.ApiProblem;
import dev.jacflux.service.problems.ProblemType;
import dev.jacflux.training.Dataset;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A stored dataset checked against a stored model and the loss, as {@code jacflux train} checks its
 * {@code --data}: {@code x [N, *input_shape]}; for {@code cross_entropy} integer class indices
 * {@code y [N]} in {@code [0, C)} for a model with outputs {@code [C]}; for {@code mse} float targets
 * {@code y [N, *output_shape]}. Each problem is a 400 naming the dataset, the model and the field.
 *
 * <pre>{@code
 * Dataset d = TrainingData.of(store.load(datasetId), datasetId, model, modelId, "cross_entropy");
 * }</pre>
 */
public final class TrainingData {
    private TrainingData() {
    }

    /** Whether {@code y} holds integers (class indices). */
    public static boolean intTargets(DatasetStore.Arrays a) {
        return a.y().dataType().isIntType();
    }

    /**
     * The training set in the model's dtype.
     *
     * @throws ApiProblem 400 if the dataset does not fit the model and the loss
     */
    public static Dataset of(DatasetStore.Arrays a, String datasetId, Model model, String modelId, String loss) {
        INDArray x = a.x();
        INDArray y = a.y();
        String where = "dataset '" + datasetId + "': ";
        long[] in = model.architecture().inputShape();
        if (x.rank() != in.length + 1 || !Arrays.equals(Shapes.range(x.shape(), 1, x.rank()), in)) {
            throw bad(where + "x of shape " + Shapes.str(x.shape()) + " does not match the input_shape " + Shapes.str(in) + " of model '"
                    + modelId + "'; expected [N, " + Shapes.str(in).substring(1));
        }
        long[] out = model.architecture().outputShape();
        DataType dt = model.dtype();
        if ("cross_entropy".equals(loss)) {
            if (out.length != 1) {
                throw bad("field 'loss': cross_entropy needs a model whose per-sample output is a vector of class scores [C], but model '"
                        + modelId + "' has outputs " + Shapes.str(out) + "; use mse with float targets");
            }
            if (!y.dataType().isIntType() || y.rank() != 1) {
                throw bad(where + "y of dtype " + y.dataType().name().toLowerCase(java.util.Locale.ROOT) + " and shape " + Shapes.str(y.shape())
                        + "; cross_entropy expects integer class indices [N]");
            }
            long[] c = y.toLongVector();
            for (int i = 0; i < c.length; i++) {
                if (c[i] < 0 || c[i] >= out[0]) {
                    throw bad(where + "y[" + i + "] = " + c[i] + " is out of range: model '" + modelId + "' has " + out[0]
                            + " classes, so class indices must lie in [0, " + out[0] + ")");
                }
            }
            return Dataset.of(x.castTo(dt), y.castTo(DataType.LONG));
        }
        if (!y.dataType().isFPType()) {
            throw bad(where + "y of dtype " + y.dataType().name().toLowerCase(java.util.Locale.ROOT) + "; mse expects float32 or float64 targets");
        }
        long[] want = Shapes.concat(new long[] {x.size(0)}, out);
        if (!Arrays.equals(y.shape(), want)) {
            throw bad(where + "y of shape " + Shapes.str(y.shape()) + " does not match the outputs " + Shapes.str(want) + " of model '" + modelId
                    + "' ([N, *output_shape]); mse expects targets of the output's shape");
        }
        return Dataset.of(x.castTo(dt), y.castTo(dt));
    }

    private static ApiProblem bad(String detail) {
        return ApiProblem.of(ProblemType.BAD_INPUT, detail);
    }
}
