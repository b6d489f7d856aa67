# Scale Lab. `make serve` and `make test` install whatever is missing first.
.PHONY: serve test bench mutants clean

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

# Mutation testing of one file (not in `make test` or CI: minutes to hours):
#   make mutants FILE=src/families/web_tier/load_balancer.rs [ARGS="--shard 1/2"]
# Installs cargo-mutants (pinned in scripts/setup.sh) if missing; the test
# targets each file runs are listed in scripts/mutants.sh.
mutants:
	@test -n "$(FILE)" || { echo 'usage: make mutants FILE=src/<path>.rs [ARGS="<cargo-mutants options>"]'; exit 2; }
	bash scripts/mutants.sh $(FILE) $(ARGS)

clean:
	cargo clean
	rm -rf dist node_modules
