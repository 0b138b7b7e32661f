module github.com/formation-engine/formation

go 1.26.0

require (
	github.com/hashicorp/go-version v1.7.0
	github.com/hashicorp/hcl/v2 v2.25.0
	github.com/huaweicloud/huaweicloud-sdk-go-v3 v0.1.224
	github.com/looplab/fsm v1.0.3
	github.com/zclconf/go-cty v1.19.0
	github.com/zclconf/go-cty-yaml v1.1.0
	go.etcd.io/bbolt v1.5.0
	golang.org/x/text v0.31.0
)

require (
	github.com/agext/levenshtein v1.2.1 // indirect
	github.com/apparentlymart/go-textseg/v15 v15.0.0 // indirect
	github.com/apparentlymart/go-textseg/v17 v17.0.1 // indirect
	github.com/google/go-cmp v0.6.0 // indirect
	github.com/mitchellh/go-wordwrap v1.0.1 // indirect
	go.mongodb.org/mongo-driver v1.13.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/mod v0.29.0 // indirect
	golang.org/x/sync v0.20.0 // indirect
	golang.org/x/sys v0.45.0 // indirect
	golang.org/x/tools v0.38.0 // indirect
	gopkg.in/ini.v1 v1.67.1 // indirect
)
