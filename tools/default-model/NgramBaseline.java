import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Count-based baselines for a language model trained on Basalt token shards: the validation cross-entropy (nats per
 * token, the unit of the trainer's val_loss) of a unigram model and of a bigram model interpolated with the unigram,
 * both fitted on the training shard. The bigram's interpolation weight and the add-k smoothing of the unigram are
 * chosen on the validation shard itself, which flatters the baseline, not the model it is compared with.
 *
 * <p>Usage: {@code java tools/default-model/NgramBaseline.java DATA_DIR} (reads DATA_DIR/train.tokens and
 * DATA_DIR/val.tokens, as 'basalt data prepare' writes them). Plain JDK, no dependencies.
 */
public class NgramBaseline {
    record Shard(int vocab, int[] tokens) {}

    static Shard read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[8];
            b.get(magic);
            if (!new String(magic, java.nio.charset.StandardCharsets.US_ASCII).equals("BSLTTOKS")) {
                throw new IOException(file + ": not a Basalt token shard");
            }
            int version = b.getInt(8), width = b.getInt(12), vocab = b.getInt(16);
            long n = b.getLong(24);
            if (version != 1 || (width != 2 && width != 4) || ch.size() != 64 + n * width) {
                throw new IOException(file + ": unsupported or truncated shard");
            }
            int[] t = new int[Math.toIntExact(n)];
            for (int i = 0; i < t.length; i++) {
                t[i] = width == 2 ? Short.toUnsignedInt(b.getShort(64 + 2 * i)) : b.getInt(64 + 4 * i);
            }
            return new Shard(vocab, t);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java NgramBaseline.java DATA_DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Shard train = read(dir.resolve("train.tokens"));
        Shard val = read(dir.resolve("val.tokens"));
        int v = train.vocab();
        long[] uni = new long[v];
        for (int t : train.tokens()) uni[t]++;
        java.util.HashMap<Long, Integer> bi = new java.util.HashMap<>();
        int[] tt = train.tokens();
        for (int i = 0; i + 1 < tt.length; i++) bi.merge((long) tt[i] * v + tt[i + 1], 1, Integer::sum);
        long n = tt.length;

        double bestK = 0, bestUni = Double.MAX_VALUE;
        for (double k : new double[] {1, 0.5, 0.1, 0.05, 0.01, 0.001}) {
            double loss = unigramLoss(val.tokens(), uni, n, v, k);
            if (loss < bestUni) {
                bestUni = loss;
                bestK = k;
            }
        }
        double bestLambda = 0, bestBi = Double.MAX_VALUE;
        for (double lambda = 0.05; lambda < 1.0; lambda += 0.05) {
            double loss = bigramLoss(val.tokens(), uni, bi, n, v, bestK, lambda);
            if (loss < bestBi) {
                bestBi = loss;
                bestLambda = lambda;
            }
        }
        System.out.printf("train tokens %,d, validation tokens %,d, vocabulary %d%n", n, val.tokens().length, v);
        System.out.printf("uniform:  %.4f nats/token%n", Math.log(v));
        System.out.printf("unigram:  %.4f nats/token (add-%s)%n", bestUni, bestK);
        System.out.printf("bigram:   %.4f nats/token (interpolated with the unigram, bigram weight %.2f)%n", bestBi,
                bestLambda);
    }

    static double unigramP(long[] uni, long n, int v, double k, int t) {
        return (uni[t] + k) / (n + k * v);
    }

    static double unigramLoss(int[] val, long[] uni, long n, int v, double k) {
        double s = 0;
        for (int t : val) s -= Math.log(unigramP(uni, n, v, k, t));
        return s / val.length;
    }

    static double bigramLoss(int[] val, long[] uni, java.util.HashMap<Long, Integer> bi, long n, int v, double k,
            double lambda) {
        double s = 0;
        for (int i = 1; i < val.length; i++) {
            int prev = val[i - 1], t = val[i];
            double pu = unigramP(uni, n, v, k, t);
            long ctx = uni[prev];
            double pb = ctx == 0 ? pu : bi.getOrDefault((long) prev * v + t, 0) / (double) ctx;
            s -= Math.log(lambda * pb + (1 - lambda) * pu);
        }
        return s / (val.length - 1);
    }
}
