-- Read by sqlite3 from standard input (tests/apps/cases: sqlite3-stdin).
create table fruit(name text primary key, kg real, origin text);
insert into fruit values ('apple', 1.5, 'NZ'), ('banana', 2.25, 'EC'), ('fig', 0.4, 'TR'), ('kiwi', 0.9, 'NZ');
.mode list
.separator |
select origin, count(*), printf('%.2f', sum(kg)) from fruit group by origin order by origin;
.headers on
.mode csv
select name, upper(name) as up, length(name) as len from fruit where kg > 0.5 order by kg desc;
select json_object('n', count(*), 'max', max(kg)) as j from fruit;
