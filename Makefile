# Scale Lab. `make serve` and `make test` install whatever is missing first.
.PHONY: serve test bench clean

serve:
	bash scripts/serve.sh

test:
	bash scripts/test.sh

# Engine speed (M/M/8, 1,000,000 requests) and memory (1 h at 10,000 req/s).
bench:
	. scripts/env.sh && cargo run --quiet --profile native --bin scalelab -- bench
	. scripts/env.sh && cargo run --quiet --profile native --bin scalelab -- bench --memory

clean:
	cargo clean
	rm -rf dist node_modules
