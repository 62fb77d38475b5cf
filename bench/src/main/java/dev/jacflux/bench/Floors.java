package dev.jacflux.bench;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The {@code floor} of each case: the least work that produces the result, written by hand for
 * that one function with {@code Nd4j.gemm}, {@code Broadcast} and in-place ops into arrays
 * allocated once in the constructor (nothing large is allocated per run). Each works in float32
 * or float64 (the dtype of its arguments); the tests check each against the engine.
 *
 * <pre>{@code
 * Floors.TwoLayerFullJacobian floor = new Floors.TwoLayerFullJacobian(w1, b1, w2);
 * INDArray jac = floor.compute(x);   // [1000, 1000], the same buffer every call
 * }</pre>
 */
public final class Floors {
    private Floors() {
    }

    /**
     * {@code conv-jacobian}: a convolution whose kernel covers the whole input has the batch
     * Jacobian {@code J[b, o, :] = w[o].flatten()} for every sample, so the floor is one
     * {@code Broadcast.copy} of the weights into a preallocated {@code [B, O, C*kh*kw]}, done in its
     * fastest form: the flattened weights as one row vector broadcast over the {@code B} rows of the
     * result viewed as {@code [B, O*C*kh*kw]} (measured 2-2.5x faster than the 3-D broadcast).
     *
     * <pre>{@code
     * INDArray jac = new Floors.ConvCopy(w, 128).compute();   // [128, 128, 3072]
     * }</pre>
     */
    public static final class ConvCopy {
        private final INDArray row;
        private final INDArray out;
        private final INDArray out2d;

        /** Weights {@code [O, C, kh, kw]} (PyTorch layout) for a batch of {@code batch} samples. */
        public ConvCopy(INDArray w, long batch) {
            long o = w.size(0);
            long inner = w.length() / o;
            this.row = w.reshape('c', 1, o * inner);
            this.out = Nd4j.createUninitialized(w.dataType(), batch, o, inner);
            this.out2d = out.reshape('c', batch, o * inner);
        }

        /** Writes the Jacobian into the preallocated result and returns it. */
        public INDArray compute() {
            Broadcast.copy(out2d, row, out2d, 1);
            return out;
        }
    }

    /**
     * {@code mlp-grads}: given each dense layer's input {@code a_l [N, in]} and the per-sample
     * cotangent of its output {@code g_l [N, out]} (computed outside the timed region), writes
     * the per-sample weight gradients {@code g_l[b] (outer) a_l[b]} (PyTorch layout
     * {@code [out, in]}) and bias gradients {@code g_l[b]} into a preallocated {@code [N, M]}, in
     * the parameter order {@code w1, b1, w2, b2, ...}: one broadcasting multiply per layer straight
     * into the strided slot of the result.
     *
     * <pre>{@code
     * Floors.MlpOuterProducts floor = Floors.MlpOuterProducts.forTanhMlp(x, labels, params);
     * INDArray grads = floor.compute();   // [256, 235146]
     * }</pre>
     */
    public static final class MlpOuterProducts {
        private final List<INDArray> inputs;
        private final List<INDArray> cotangents;
        private final List<INDArray> weightSlots = new ArrayList<>();
        private final List<INDArray> biasSlots = new ArrayList<>();
        private final INDArray out;

        /** Layer inputs {@code a_l [N, in_l]} and output cotangents {@code g_l [N, out_l]}. */
        public MlpOuterProducts(List<INDArray> inputs, List<INDArray> cotangents) {
            if (inputs.size() != cotangents.size() || inputs.isEmpty()) {
                throw new IllegalArgumentException("mlp floor: " + inputs.size() + " layer inputs but " + cotangents.size() + " cotangents");
            }
            this.inputs = List.copyOf(inputs);
            this.cotangents = List.copyOf(cotangents);
            long n = inputs.get(0).size(0);
            long m = 0;
            for (int l = 0; l < inputs.size(); l++) {
                m += cotangents.get(l).size(1) * (inputs.get(l).size(1) + 1);
            }
            this.out = Nd4j.createUninitialized(inputs.get(0).dataType(), n, m);
            long off = 0;
            for (int l = 0; l < inputs.size(); l++) {
                long o = cotangents.get(l).size(1);
                long i = inputs.get(l).size(1);
                weightSlots.add(out.get(NDArrayIndex.all(), NDArrayIndex.interval(off, off + o * i)).reshape('c', n, o, i));
                off += o * i;
                biasSlots.add(out.get(NDArrayIndex.all(), NDArrayIndex.interval(off, off + o)));
                off += o;
            }
        }

        /**
         * The layer inputs and output cotangents of the benchmark's MLP: PyTorch-layout weights
         * {@code params = [w1 [h1, in], b1 [h1], w2, b2, ..., wL, bL]}, tanh after every layer but
         * the last, per-sample cross-entropy of the last layer's logits against {@code labels}.
         */
        public static MlpOuterProducts forTanhMlp(INDArray x, INDArray labels, List<INDArray> params) {
            int layers = params.size() / 2;
            List<INDArray> inputs = new ArrayList<>();
            List<INDArray> derivatives = new ArrayList<>();
            INDArray a = x;
            INDArray z = null;
            for (int l = 0; l < layers; l++) {
                inputs.add(a);
                INDArray w = params.get(2 * l);
                INDArray b = params.get(2 * l + 1);
                z = a.mmul(w.transpose()).addiRowVector(b.reshape('c', new long[] {b.length()}));
                if (l < layers - 1) {
                    a = Transforms.tanh(z, true);
                    derivatives.add(a.mul(a).rsubi(1.0));
                }
            }
            long n = x.size(0);
            INDArray p = Transforms.softmax(z, true);
            for (long b = 0; b < n; b++) {
                long t = labels.getLong(b);
                p.putScalar(b, t, p.getDouble(b, t) - 1.0);
            }
            List<INDArray> cot = new ArrayList<>();
            INDArray g = p;
            for (int l = layers - 1; l >= 0; l--) {
                cot.add(0, g);
                if (l > 0) {
                    g = g.mmul(params.get(2 * l)).muli(derivatives.get(l - 1));
                }
            }
            return new MlpOuterProducts(inputs, cot);
        }

        /** Writes every per-sample gradient into the preallocated result and returns it. */
        public INDArray compute() {
            long n = out.size(0);
            for (int l = 0; l < inputs.size(); l++) {
                INDArray g = cotangents.get(l);
                INDArray a = inputs.get(l);
                Nd4j.exec(new MulOp(new INDArray[] {g.reshape('c', n, g.size(1), 1), a.reshape('c', n, 1, a.size(1))},
                        new INDArray[] {weightSlots.get(l)}));
                biasSlots.get(l).assign(g);
            }
            return out;
        }
    }

    /**
     * {@code scaling}: the batch Jacobian of {@code y = tanh(x W1) W2}, {@code J[b] = W2^T
     * diag(1 - h_b^2) W1^T}: the forward GEMM, {@code 1 - h^2} in place, {@code W2^T} scaled per
     * sample into a preallocated {@code [B, D_y, H]}, and one GEMM {@code [B*D_y, H] x W1^T} into the
     * preallocated {@code [B, D_y, n]}.
     *
     * <pre>{@code
     * INDArray jac = new Floors.TwoLayerBatchJacobian(w1, w2, 64).compute(x);   // [64, D_y, 512]
     * }</pre>
     */
    public static final class TwoLayerBatchJacobian {
        private final INDArray w1;
        private final INDArray w2t;
        private final INDArray h;
        private final INDArray m;
        private final INDArray out;

        /** {@code w1 [n, H]}, {@code w2 [H, D_y]}, for batches of {@code batch} samples. */
        public TwoLayerBatchJacobian(INDArray w1, INDArray w2, long batch) {
            DataType dt = w1.dataType();
            this.w1 = w1;
            this.w2t = w2.transpose();
            long hidden = w1.size(1);
            long dy = w2.size(1);
            this.h = Nd4j.createUninitialized(dt, batch, hidden);
            this.m = Nd4j.createUninitialized(dt, batch, dy, hidden);
            this.out = Nd4j.createUninitialized(dt, batch, dy, w1.size(0));
        }

        /** The batch Jacobian at {@code x [B, n]}, in the preallocated result. */
        public INDArray compute(INDArray x) {
            long b = out.size(0);
            long dy = out.size(1);
            Nd4j.gemm(x, w1, h, false, false, 1.0, 0.0);
            Transforms.tanh(h, false);
            h.muli(h).rsubi(1.0);
            Broadcast.copy(m, w2t, m, 1, 2);
            Broadcast.mul(m, h, m, 0, 2);
            Nd4j.gemm(m.reshape('c', b * dy, m.size(2)), w1, out.reshape('c', b * dy, out.size(2)), false, true, 1.0, 0.0);
            return out;
        }
    }

    /**
     * {@code full-jac}: the Jacobian of {@code f(x) = W2 tanh(W1 x + b1) + b2},
     * {@code J = W2 diag(1 - h^2) W1}: the forward GEMV, the rows of {@code W1} scaled into a
     * preallocated {@code [H, n]}, one GEMM into the preallocated {@code [m, n]}.
     *
     * <pre>{@code
     * INDArray jac = new Floors.TwoLayerFullJacobian(w1, b1, w2).compute(x);   // x [1000, 1] -> [1000, 1000]
     * }</pre>
     */
    public static final class TwoLayerFullJacobian {
        private final INDArray w1;
        private final INDArray b1;
        private final INDArray w2;
        private final INDArray a;
        private final INDArray scaled;
        private final INDArray out;

        /** {@code w1 [H, n]}, {@code b1 [H, 1]}, {@code w2 [m, H]}. */
        public TwoLayerFullJacobian(INDArray w1, INDArray b1, INDArray w2) {
            DataType dt = w1.dataType();
            this.w1 = w1;
            this.b1 = b1;
            this.w2 = w2;
            this.a = Nd4j.createUninitialized(dt, w1.size(0), 1);
            this.scaled = Nd4j.createUninitialized(dt, w1.size(0), w1.size(1));
            this.out = Nd4j.createUninitialized(dt, w2.size(0), w1.size(1));
        }

        /** The Jacobian at {@code x [n, 1]}, in the preallocated {@code [m, n]}. */
        public INDArray compute(INDArray x) {
            Nd4j.gemm(w1, x, a, false, false, 1.0, 0.0);
            a.addi(b1);
            Transforms.tanh(a, false);
            a.muli(a).rsubi(1.0);
            Broadcast.mul(w1, a.reshape('c', new long[] {a.length()}), scaled, 0);
            Nd4j.gemm(w2, scaled, out, false, false, 1.0, 0.0);
            return out;
        }
    }

    /**
     * {@code hessian}: the Hessian of {@code s(x) = logsumexp(W2 tanh(W1 x + b1) + b2)} in closed
     * form, through the hidden layer. With {@code h = tanh(W1 x + b1)}, {@code d = 1 - h^2},
     * {@code p = softmax(W2 h + b2)}, {@code q = W2^T p}:
     * <pre>
     * H = W1^T K W1,   K = D A D - v v^T + diag(t),
     * A = W2^T diag(p) W2,   v = d * q,   t = -2 q * h * d,   D = diag(d)
     * </pre>
     * (the first two terms are {@code J^T (diag(p) - p p^T) J}, the last is
     * {@code sum_j p_j * Hessian(f_j)}): three GEMMs ({@code [H, m] x [m, H]},
     * {@code [H, H] x [H, n]}, {@code [n, H] x [H, n]}) and a rank-1 update into preallocated
     * arrays.
     *
     * <pre>{@code
     * INDArray h = new Floors.LogSumExpHessian(w1, b1, w2, b2).compute(x);   // x [1000, 1] -> [1000, 1000]
     * }</pre>
     */
    public static final class LogSumExpHessian {
        private final INDArray w1;
        private final INDArray b1;
        private final INDArray w2;
        private final INDArray b2;
        private final INDArray hidden;
        private final INDArray z;
        private final INDArray scaledW2;
        private final INDArray k;
        private final INDArray kDiagonal;
        private final INDArray t;
        private final INDArray out;

        /** {@code w1 [H, n]}, {@code b1 [H, 1]}, {@code w2 [m, H]}, {@code b2 [m, 1]}. */
        public LogSumExpHessian(INDArray w1, INDArray b1, INDArray w2, INDArray b2) {
            DataType dt = w1.dataType();
            long hid = w1.size(0);
            this.w1 = w1;
            this.b1 = b1;
            this.w2 = w2;
            this.b2 = b2;
            this.hidden = Nd4j.createUninitialized(dt, hid, 1);
            this.z = Nd4j.createUninitialized(dt, w2.size(0), 1);
            this.scaledW2 = Nd4j.createUninitialized(dt, w2.size(0), hid);
            this.k = Nd4j.createUninitialized(dt, hid, hid);
            this.kDiagonal = k.reshape('c', new long[] {hid * hid}).get(NDArrayIndex.interval(0, hid + 1, hid * hid));
            this.t = Nd4j.createUninitialized(dt, hid, w1.size(1));
            this.out = Nd4j.createUninitialized(dt, w1.size(1), w1.size(1));
        }

        /** The Hessian at {@code x [n, 1]}, in the preallocated {@code [n, n]}. */
        public INDArray compute(INDArray x) {
            long hid = hidden.length();
            Nd4j.gemm(w1, x, hidden, false, false, 1.0, 0.0);
            hidden.addi(b1);
            Transforms.tanh(hidden, false);
            INDArray d = hidden.mul(hidden).rsubi(1.0);
            Nd4j.gemm(w2, hidden, z, false, false, 1.0, 0.0);
            z.addi(b2);
            INDArray p = Transforms.exp(z.sub(z.maxNumber()), false);
            p.divi(p.sumNumber());
            Broadcast.mul(w2, p.reshape('c', new long[] {p.length()}), scaledW2, 0);
            Nd4j.gemm(w2, scaledW2, k, true, false, 1.0, 0.0);
            INDArray q = Nd4j.gemm(w2, p, true, false);
            INDArray dFlat = d.reshape('c', new long[] {hid});
            Broadcast.mul(k, dFlat, k, 0);
            Broadcast.mul(k, dFlat, k, 1);
            INDArray v = d.mul(q);
            Nd4j.gemm(v, v, k, false, true, -1.0, 1.0);
            kDiagonal.addi(q.mul(hidden).muli(d).muli(-2.0).reshape('c', new long[] {hid}));
            Nd4j.gemm(k, w1, t, false, false, 1.0, 0.0);
            Nd4j.gemm(w1, t, out, true, false, 1.0, 0.0);
            return out;
        }
    }
}
