# Scale Lab. `make serve` and `make test` install whatever is missing first.
.PHONY: serve test bench clean

serve:
	bash scripts/serve.sh

test:
	bash scripts/test.sh

# Engine speed (M/M/8, 1,000,000 requests), memory (1 h at 10,000 req/s), ring lookups, Kafka records.
bench:
	. scripts/env.sh && cargo run --quiet --release --bin scalelab -- bench
	. scripts/env.sh && cargo run --quiet --release --bin scalelab -- bench --memory
	. scripts/env.sh && cargo run --quiet --release --bin scalelab -- bench --seek
	. scripts/env.sh && cargo run --quiet --release --bin scalelab -- bench --ring
	. scripts/env.sh && cargo run --quiet --release --bin scalelab -- bench --kafka

clean:
	cargo clean
	rm -rf dist node_modules
