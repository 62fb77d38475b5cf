package dev.jacflux.service.datasets;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;

/**
 * A dataset in the store: its id, its two files and what their headers say.
 *
 * <pre>{@code
 * StoredDataset d = store.find("9c41d07be2f05a13").orElseThrow();
 * d.examples();      // N
 * d.x();             // <data-dir>/datasets/9c41d07be2f05a13/x.npy
 * }</pre>
 *
 * @param id       content hash of the two files
 * @param x        {@code datasets/<id>/x.npy}
 * @param y        {@code datasets/<id>/y.npy}
 * @param examples N, the first axis of both arrays
 * @param xShape   shape of {@code x}
 * @param xDtype   NumPy dtype of {@code x} ({@code float32} or {@code float64})
 * @param yShape   shape of {@code y}
 * @param yDtype   NumPy dtype of {@code y}
 */
public record StoredDataset(String id, Path x, Path y, long examples, long[] xShape, String xDtype, long[] yShape, String yDtype) {

    /** The answer of the dataset endpoints. */
    public Summary summary() {
        return new Summary(id, examples, xShape, xDtype, yShape, yDtype);
    }

    /**
     * What {@code POST /v1/datasets} and {@code GET /v1/datasets[/{id}]} answer.
     *
     * <pre>{@code
     * {"id": "9c41d07be2f05a13", "examples": 1000, "x_shape": [1000, 20], "x_dtype": "float32", "y_shape": [1000], "y_dtype": "int64"}
     * }</pre>
     *
     * @param id       the dataset's id
     * @param examples N
     * @param xShape   shape of x
     * @param xDtype   dtype of x
     * @param yShape   shape of y
     * @param yDtype   dtype of y
     */
    public record Summary(String id, long examples, @JsonProperty("x_shape") long[] xShape, @JsonProperty("x_dtype") String xDtype,
            @JsonProperty("y_shape") long[] yShape, @JsonProperty("y_dtype") String yDtype) {
    }
}
