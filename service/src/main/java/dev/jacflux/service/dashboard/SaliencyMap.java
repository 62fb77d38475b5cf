package dev.jacflux.service.dashboard;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The saliency heatmap of the latest batch-Jacobian request on a model with image inputs
 * ({@code [C, H, W]} or {@code [H, W]}): for each pixel, the mean over the request's samples, the
 * model's outputs and the channels of {@code |dy/dx|}. An aggregate only: no input, no single
 * sample's Jacobian.
 *
 * <pre>{@code
 * {"request_id": "3f2a1b7c-12", "model": "b7ace8787c499b9b", "t": 1764603300000, "channels": 1, "height": 14, "width": 14,
 *  "block": 1, "batches": 2, "samples": 8, "max": 0.0213, "mean": 0.0041, "values": [0.012, 0.0, ...]}
 * }</pre>
 *
 * @param requestId the request's id ({@code X-Request-Id})
 * @param model     the model's id
 * @param t         when the latest batch was added, milliseconds since the epoch
 * @param channels  input channels averaged over
 * @param height    rows of {@code values}
 * @param width     columns of {@code values}
 * @param block     input pixels per value along each axis (1 unless the image was larger than {@link SaliencyAggregator#MAX_SIDE})
 * @param batches   batches of the request so far
 * @param samples   samples of the request so far
 * @param max       the largest value (output units per input unit)
 * @param mean      the mean value
 * @param values    row-major {@code height x width} values relative to {@code max}, in [0, 1], rounded to 3 decimals
 */
public record SaliencyMap(@JsonProperty("request_id") String requestId, String model, long t, int channels, int height, int width, int block,
        long batches, long samples, double max, double mean, double[] values) {
}
