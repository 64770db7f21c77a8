package concernmap

import (
	"context"
	"regexp"
)

// Category is a kind of concern. Sensitive categories are never shown as
// exact points to anyone without the right to see them.
type Category struct {
	Key       string `json:"key"`
	NameEN    string `json:"name_en"`
	NameMY    string `json:"name_my"`
	Icon      string `json:"icon"`
	Color     string `json:"color"`
	Sensitive bool   `json:"sensitive"`
}

// DefaultCategories are seeded into every new store.
var DefaultCategories = []Category{
	{Key: "landmine_uxo", NameEN: "Landmine or unexploded ordnance", NameMY: "မြေမြှုပ်မိုင်း သို့မဟုတ် မပေါက်ကွဲသေးသော လက်နက်", Icon: "mine", Color: "#c0392b"},
	{Key: "unlit_road", NameEN: "Unlit road", NameMY: "မီးမလင်းသော လမ်း", Icon: "road", Color: "#7f8c8d"},
	{Key: "damaged_bridge", NameEN: "Damaged bridge", NameMY: "ပျက်စီးနေသော တံတား", Icon: "bridge", Color: "#d35400"},
	{Key: "night_route", NameEN: "Dangerous route at night", NameMY: "ညအချိန် အန္တရာယ်ရှိသော လမ်းကြောင်း", Icon: "moon", Color: "#2c3e50"},
	{Key: "armed_actor", NameEN: "Armed actor presence", NameMY: "လက်နက်ကိုင် အဖွဲ့ ရှိနေခြင်း", Icon: "shield", Color: "#8e44ad"},
	{Key: "flooding", NameEN: "Flooding", NameMY: "ရေကြီးခြင်း", Icon: "water", Color: "#2980b9"},
	{Key: "other", NameEN: "Other", NameMY: "အခြား", Icon: "dot", Color: "#95a5a6"},
	{Key: "domestic_violence", NameEN: "Domestic violence", NameMY: "အိမ်တွင်း အကြမ်းဖက်မှု", Icon: "home", Color: "#e84393", Sensitive: true},
	{Key: "alcohol_harm", NameEN: "Alcohol-related harm", NameMY: "အရက်ကြောင့် ဖြစ်သော ထိခိုက်မှု", Icon: "bottle", Color: "#b8860b", Sensitive: true},
}

var (
	categoryKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)
	colorRE       = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// Validate checks a category's fields.
func (c *Category) Validate() error {
	var fe fieldErrors
	if !categoryKeyRE.MatchString(c.Key) {
		fe.add("key", "must be 2-40 lower-case letters, digits or underscores, starting with a letter")
	}
	if c.NameEN == "" || len(c.NameEN) > 200 {
		fe.add("name_en", "must be 1-200 bytes")
	}
	if c.NameMY == "" || len(c.NameMY) > 400 {
		fe.add("name_my", "must be 1-400 bytes")
	}
	if !colorRE.MatchString(c.Color) {
		fe.add("color", "must be a colour such as #c0392b")
	}
	return fe.err("category")
}

// CategoryStore holds categories. Stores seed DefaultCategories when empty.
type CategoryStore interface {
	FindCategories(ctx context.Context) ([]*Category, error)
}
