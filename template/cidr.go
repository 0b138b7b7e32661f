package template

import (
	"fmt"
	"math/big"
	"net/netip"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/gocty"
)

// The network functions, as Terraform defines them, on net/netip and
// math/big (IPv6 host numbers exceed 64 bits).

func parsePrefix(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(decimalOctets(s))
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("invalid CIDR expression: %s", err)
	}
	if p.Addr().Is4In6() {
		return netip.Prefix{}, fmt.Errorf("invalid CIDR expression: IPv4-mapped IPv6 addresses are not supported")
	}
	return p.Masked(), nil
}

// decimalOctets drops the leading zeros of the octets of an IPv4 CIDR
// ("010.0.0.0/8" is 10.0.0.0/8): Terraform parses addresses as Go did
// before 1.17, reading such octets as decimal, where net/netip refuses
// them. Anything else is returned unchanged.
func decimalOctets(s string) string {
	addr, bits, ok := strings.Cut(s, "/")
	octets := strings.Split(addr, ".")
	if !ok || len(octets) != 4 {
		return s
	}
	for i, o := range octets {
		if o == "" || strings.Trim(o, "0123456789") != "" {
			return s
		}
		if t := strings.TrimLeft(o, "0"); t != o {
			if t == "" {
				t = "0"
			}
			octets[i] = t
		}
	}
	return strings.Join(octets, ".") + "/" + bits
}

func addrToInt(a netip.Addr) *big.Int {
	b := a.AsSlice()
	return new(big.Int).SetBytes(b)
}

func intToAddr(n *big.Int, is4 bool) netip.Addr {
	size := 16
	if is4 {
		size = 4
	}
	buf := make([]byte, size)
	n.FillBytes(buf)
	a, _ := netip.AddrFromSlice(buf)
	return a
}

func bigNum(v cty.Value) (*big.Int, error) {
	bf := v.AsBigFloat()
	if !bf.IsInt() {
		return nil, fmt.Errorf("%s is not a whole number", bf.Text('f', -1))
	}
	n, _ := bf.Int(nil)
	return n, nil
}

var cidrHostFunc = function.New(&function.Spec{
	Description: "Returns the IP address of host number hostnum in the prefix; a negative number counts back from the end.",
	Params: []function.Parameter{
		{Name: "prefix", Type: cty.String},
		{Name: "hostnum", Type: cty.Number},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := parsePrefix(args[0].AsString())
		if err != nil {
			return cty.NilVal, err
		}
		num, err := bigNum(args[1])
		if err != nil {
			return cty.NilVal, err
		}
		hostBits := p.Addr().BitLen() - p.Bits()
		size := new(big.Int).Lsh(big.NewInt(1), uint(hostBits))
		if num.Sign() < 0 {
			num.Add(num, size)
		}
		if num.Sign() < 0 || num.Cmp(size) >= 0 {
			return cty.NilVal, fmt.Errorf("prefix of %d does not accommodate a host numbered %s", p.Bits(), args[1].AsBigFloat().Text('f', -1))
		}
		n := addrToInt(p.Addr())
		n.Add(n, num)
		return cty.StringVal(intToAddr(n, p.Addr().Is4()).String()), nil
	},
})

var cidrNetmaskFunc = function.New(&function.Spec{
	Description: "Returns the IPv4 netmask of a prefix in dotted-decimal form.",
	Params:      []function.Parameter{{Name: "prefix", Type: cty.String}},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := parsePrefix(args[0].AsString())
		if err != nil {
			return cty.NilVal, err
		}
		if !p.Addr().Is4() {
			return cty.NilVal, fmt.Errorf("IPv6 addresses cannot have a netmask: %s", args[0].AsString())
		}
		mask := new(big.Int).Lsh(big.NewInt(1), 32)
		mask.Sub(mask, new(big.Int).Lsh(big.NewInt(1), uint(32-p.Bits())))
		return cty.StringVal(intToAddr(mask, true).String()), nil
	},
})

// subnet returns the netnum'th subnet of p with newbits more prefix bits.
func subnet(p netip.Prefix, newbits int, netnum *big.Int) (netip.Prefix, error) {
	bits := p.Addr().BitLen()
	if newbits < 0 {
		return netip.Prefix{}, fmt.Errorf("newbits must be 0 or more")
	}
	if p.Bits()+newbits > bits {
		return netip.Prefix{}, fmt.Errorf("insufficient address space to extend prefix of %d by %d", p.Bits(), newbits)
	}
	limit := new(big.Int).Lsh(big.NewInt(1), uint(newbits))
	if netnum.Sign() < 0 || netnum.Cmp(limit) >= 0 {
		return netip.Prefix{}, fmt.Errorf("prefix extension of %d does not accommodate a subnet numbered %s", newbits, netnum)
	}
	n := addrToInt(p.Addr())
	n.Add(n, new(big.Int).Lsh(netnum, uint(bits-p.Bits()-newbits)))
	return netip.PrefixFrom(intToAddr(n, p.Addr().Is4()), p.Bits()+newbits), nil
}

var cidrSubnetFunc = function.New(&function.Spec{
	Description: "Returns the netnum'th subnet of prefix with newbits more bits.",
	Params: []function.Parameter{
		{Name: "prefix", Type: cty.String},
		{Name: "newbits", Type: cty.Number},
		{Name: "netnum", Type: cty.Number},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := parsePrefix(args[0].AsString())
		if err != nil {
			return cty.NilVal, err
		}
		var newbits int
		if err := gocty.FromCtyValue(args[1], &newbits); err != nil {
			return cty.NilVal, function.NewArgError(1, err)
		}
		netnum, err := bigNum(args[2])
		if err != nil {
			return cty.NilVal, function.NewArgError(2, err)
		}
		sn, err := subnet(p, newbits, netnum)
		if err != nil {
			return cty.NilVal, err
		}
		return cty.StringVal(sn.String()), nil
	},
})

// cidrSubnetsFunc allocates consecutive subnets of the given sizes, each
// aligned to its own size, as terraform's cidrsubnets does.
var cidrSubnetsFunc = function.New(&function.Spec{
	Description: "Returns consecutive subnets of prefix, one per newbits argument.",
	Params:      []function.Parameter{{Name: "prefix", Type: cty.String}},
	VarParam:    &function.Parameter{Name: "newbits", Type: cty.Number},
	Type: func(args []cty.Value) (cty.Type, error) {
		return cty.List(cty.String), nil
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := parsePrefix(args[0].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgError(0, err)
		}
		if len(args) == 1 {
			return cty.ListValEmpty(cty.String), nil
		}
		bits := p.Addr().BitLen()
		is4 := p.Addr().Is4()
		next := addrToInt(p.Addr()) // the first address not yet allocated
		end := new(big.Int).Add(addrToInt(p.Addr()), new(big.Int).Lsh(big.NewInt(1), uint(bits-p.Bits())))
		out := make([]cty.Value, 0, len(args)-1)
		for i, a := range args[1:] {
			var nb int
			if err := gocty.FromCtyValue(a, &nb); err != nil {
				return cty.NilVal, function.NewArgError(i+1, err)
			}
			if nb < 1 {
				return cty.NilVal, function.NewArgError(i+1, fmt.Errorf("must extend prefix by at least one bit"))
			}
			plen := p.Bits() + nb
			if plen > bits {
				return cty.NilVal, function.NewArgError(i+1, fmt.Errorf("would extend prefix to %d bits, which is too long for an IPv%d address", plen, map[bool]int{true: 4, false: 6}[is4]))
			}
			size := new(big.Int).Lsh(big.NewInt(1), uint(bits-plen))
			start := new(big.Int).Add(next, new(big.Int).Sub(size, big.NewInt(1)))
			start.Div(start, size).Mul(start, size) // round up to the subnet's alignment
			stop := new(big.Int).Add(start, size)
			if stop.Cmp(end) > 0 {
				return cty.NilVal, function.NewArgError(i+1, fmt.Errorf("not enough remaining address space for a subnet with a prefix of %d bits after %s", plen, prevString(out, p)))
			}
			out = append(out, cty.StringVal(netip.PrefixFrom(intToAddr(start, is4), plen).String()))
			next = stop
		}
		return cty.ListVal(out), nil
	},
})

func prevString(out []cty.Value, p netip.Prefix) string {
	if len(out) == 0 {
		return p.String()
	}
	return out[len(out)-1].AsString()
}
